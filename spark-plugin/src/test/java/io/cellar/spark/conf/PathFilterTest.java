// SPDX-License-Identifier: Apache-2.0
// PathFilterTest -- include and exclude globs over table root paths
package io.cellar.spark.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathFilterTest {
  private static PathFilter filter(String include, String exclude) {
    Map<String, String> m = Map.of(CellarConf.INCLUDE_PATHS.key(), include,
        CellarConf.EXCLUDE_PATHS.key(), exclude);
    return PathFilter.of(m::get);
  }

  @Test
  void noPatternsAdmitEverything() {
    assertThat(filter("", "").allows(List.of("s3a://b/x", "file:/tmp/y"))).isTrue();
  }

  @Test
  void aPatternMatchesThePathOrAParentWithOrWithoutSchemeAndAuthority() {
    PathFilter f = filter("", "s3a://lake/raw, /data/*/tmp, hdfs://nn:8020/w/{a,b}");
    assertThat(f.allows(List.of("s3a://lake/raw"))).isFalse();
    assertThat(f.allows(List.of("s3a://lake/raw/2024/part=1/"))).isFalse();
    assertThat(f.allows(List.of("s3a://lake/rawer"))).isTrue();
    assertThat(f.allows(List.of("hdfs://nn/data/x/tmp/t"))).isFalse();
    assertThat(f.allows(List.of("file:/data/x/y/tmp"))).isTrue(); // * stays in one segment
    assertThat(f.allows(List.of("hdfs://nn:8020/w/b/t"))).isFalse();
    assertThat(f.allows(List.of("hdfs://nn:8020/w/c/t"))).isTrue();
  }

  @Test
  void includeNeedsEveryRootAndExclusionWins() {
    PathFilter f = filter("/gold/?1,/gold/[!x]2", "/gold/b1");
    assertThat(f.allows(List.of("file:/gold/a1"))).isTrue();
    assertThat(f.allows(List.of("file:/gold/a2"))).isTrue();
    assertThat(f.allows(List.of("file:/gold/x2"))).isFalse();
    assertThat(f.allows(List.of("file:/gold/a1", "file:/silver/a1"))).isFalse();
    assertThat(f.allows(List.of("file:/gold/b1"))).isFalse();
  }

  @Test
  void specialCharactersAreLiteralAndBadGlobsAreRejected() {
    assertThat(filter("", "/a+b/c.d\\*").allows(List.of("file:/a+b/c.d*"))).isFalse();
    assertThat(filter("", "/a+b/c.d\\*").allows(List.of("file:/a+b/c.dx"))).isTrue();
    assertThat(PathFilter.valid("/a/[bc")).isFalse();
    assertThat(PathFilter.valid("/a/{b,c")).isFalse();
    assertThatThrownBy(() -> PathFilter.compile("/x,/a/[bc"))
        .hasMessageContaining("'/a/[bc' is not a glob pattern");
  }
}
