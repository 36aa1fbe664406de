// SPDX-License-Identifier: Apache-2.0
// ControlMessagesTest -- requests travel to executors as JDK types and come back whole
package io.cellar.spark.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellar.spark.control.ControlMessages.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlMessagesTest {
  @Test
  void aRequestIsStringsOnTheWireAndDecodesToItself() {
    Request some = new Request(7, true, List.of("file:/a/x.parquet", "all", "s3a://b/%2A"), false);
    Object wire = some.encode();
    assertThat(wire).isInstanceOf(String[].class);
    Request back = Request.decode((String[]) wire);
    assertThat(back.id).isEqualTo(7);
    assertThat(back.clear).isTrue();
    assertThat(back.tables).isFalse();
    assertThat(back.paths).containsExactly("file:/a/x.parquet", "all", "s3a://b/%2A");

    Request all = Request.decode(new Request(8, false, null, true).encode());
    assertThat(all.paths).isNull();
    assertThat(all.tables).isTrue();
    assertThat(Request.decode(new Request(9, false, List.of(), false).encode()).paths).isEmpty();
  }
}
