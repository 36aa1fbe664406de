// SPDX-License-Identifier: Apache-2.0
// CellarStatementTest -- the grammar of CELLAR statements
package io.cellar.spark.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CellarStatementTest {
  @Test
  void otherStatementsAreNotCellars() {
    assertThat(CellarStatement.parse("SELECT 1")).isNull();
    assertThat(CellarStatement.parse("  ")).isNull();
    assertThat(CellarStatement.parse("CELLARS")).isNull();
    assertThat(CellarStatement.parse("`CELLAR` WARM t")).isNull();
  }

  @Test
  void warmWithColumnsAndAPredicate() {
    CellarStatement s = CellarStatement.parse(
        "  cellar Warm db.`my tbl` COLUMNS (a, `b c`) WHERE a > 1 AND c = 'x;y' ;");
    assertThat(s.kind()).isEqualTo(CellarStatement.Kind.WARM);
    assertThat(s.target().table()).isEqualTo("db.`my tbl`");
    assertThat(s.target().path()).isNull();
    assertThat(s.columns()).isEqualTo(List.of("a", "b c"));
    assertThat(s.where()).isEqualTo("a > 1 AND c = 'x;y'");
  }

  @Test
  void pathsAsParquetDotBackquotesOrStrings() {
    assertThat(CellarStatement.parse("CELLAR WARM parquet.`/data/x y`").target().path())
        .isEqualTo("/data/x y");
    assertThat(CellarStatement.parse("CELLAR STATUS 's3a://b/it''s'").target().path())
        .isEqualTo("s3a://b/it's");
    assertThat(CellarStatement.parse("CELLAR CLEAR \"/a\\\"b\"").target().path())
        .isEqualTo("/a\"b");
    assertThat(CellarStatement.parse("CELLAR STATUS parquet.t").target().table())
        .isEqualTo("parquet.t");
  }

  @Test
  void clearAllAndStatusWithoutATarget() {
    CellarStatement all = CellarStatement.parse("CELLAR CLEAR ALL;");
    assertThat(all.kind()).isEqualTo(CellarStatement.Kind.CLEAR);
    assertThat(all.target()).isNull();
    assertThat(CellarStatement.parse("cellar clear").target()).isNull();
    CellarStatement st = CellarStatement.parse("CELLAR STATUS -- everything\n");
    assertThat(st.kind()).isEqualTo(CellarStatement.Kind.STATUS);
    assertThat(st.target()).isNull();
  }

  @Test
  void malformedStatementsSayWhatWasExpectedAndWhere() {
    assertThatThrownBy(() -> CellarStatement.parse("CELLAR"))
        .isInstanceOf(CellarSqlException.class).hasMessageContaining("WARM, CLEAR or STATUS");
    assertThatThrownBy(() -> CellarStatement.parse("CELLAR WARM t COLUMNS (a b)"))
        .hasMessageContaining("expected ',' or ')' at position 26, found 'b'");
    assertThatThrownBy(() -> CellarStatement.parse("CELLAR WARM t COLUMNS ()"))
        .hasMessageContaining("a column name");
    assertThatThrownBy(() -> CellarStatement.parse("CELLAR WARM t WHERE ;"))
        .hasMessageContaining("a predicate after WHERE");
    assertThatThrownBy(() -> CellarStatement.parse("CELLAR STATUS t COLUMNS (a)"))
        .hasMessageContaining("the end of the statement");
    assertThatThrownBy(() -> CellarStatement.parse("CELLAR CLEAR 'open"))
        .hasMessageContaining("a closing '");
    assertThatThrownBy(() -> CellarStatement.parse("CELLAR WARM db."))
        .hasMessageContaining("a name after '.'");
  }
}
