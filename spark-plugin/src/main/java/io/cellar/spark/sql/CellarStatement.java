// SPDX-License-Identifier: Apache-2.0
// CellarStatement -- the CELLAR WARM / CLEAR / STATUS statements, parsed from SQL text
package io.cellar.spark.sql;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One of Cellar's SQL statements. The grammar (keywords in any case, an optional {@code ;} at
 * the end):
 *
 * <pre>
 * CELLAR WARM target [COLUMNS (column [, column]...)] [WHERE predicate]
 * CELLAR CLEAR [target | ALL]
 * CELLAR STATUS [target]
 * target := table name (db.table, `quoted`.`parts`) | parquet.`path` | 'path'
 * </pre>
 *
 * The predicate is the rest of the statement, handed to Spark's parser as an expression. Text
 * that does not start with the word {@code CELLAR} is not Cellar's ({@link #parse} returns null),
 * so every other statement goes to Spark's own parser unchanged.
 */
public final class CellarStatement {
  /** The statements. */
  public enum Kind { WARM, CLEAR, STATUS }

  /** What a statement names: a catalog table or a directory (or file) of Parquet. */
  public static final class Target {
    private final String table;
    private final String path;

    private Target(String table, String path) {
      this.table = table;
      this.path = path;
    }

    /** The table name as written (parts and backquotes kept), or null for a path. */
    public String table() {
      return table;
    }

    /** The Parquet path, or null for a table. */
    public String path() {
      return path;
    }

    @Override
    public String toString() {
      return table != null ? table : "parquet.`" + path + "`";
    }
  }

  private final Kind kind;
  private final Target target;
  private final List<String> columns;
  private final String where;

  private CellarStatement(Kind kind, Target target, List<String> columns, String where) {
    this.kind = kind;
    this.target = target;
    this.columns = Collections.unmodifiableList(columns);
    this.where = where;
  }

  /** The statement. */
  public Kind kind() {
    return kind;
  }

  /** Its target; null for CLEAR ALL and for CLEAR or STATUS without one. */
  public Target target() {
    return target;
  }

  /** WARM's columns, empty for all. */
  public List<String> columns() {
    return columns;
  }

  /** WARM's predicate text, or null. */
  public String where() {
    return where;
  }

  @Override
  public String toString() {
    return "CELLAR " + kind + (target == null ? "" : " " + target)
        + (columns.isEmpty() ? "" : " COLUMNS (" + String.join(", ", columns) + ")")
        + (where == null ? "" : " WHERE " + where);
  }

  /**
   * Parses a statement.
   *
   * @param sql SQL text
   * @return the statement, or null when the text does not start with {@code CELLAR}
   * @throws CellarSqlException for a statement that starts with {@code CELLAR} but is malformed
   */
  public static CellarStatement parse(String sql) {
    Lexer lx = new Lexer(sql);
    Token first = lx.next();
    if (first == null || !first.isWord("CELLAR")) {
      return null;
    }
    Token verb = lx.next();
    if (verb == null || verb.kind != TokenKind.WORD) {
      throw lx.error(verb, "WARM, CLEAR or STATUS");
    }
    Kind kind;
    try {
      kind = Kind.valueOf(verb.text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw lx.error(verb, "WARM, CLEAR or STATUS");
    }
    Target target = null;
    List<String> columns = new ArrayList<>();
    String where = null;
    Token t = lx.next();
    if (kind == Kind.CLEAR && t != null && t.isWord("ALL")) {
      t = lx.next();
    } else if (t != null && !t.isEnd()) {
      target = target(lx, t);
      t = lx.next();
    } else if (kind == Kind.WARM) {
      throw lx.error(t, "a table name, parquet.`path` or a quoted path");
    }
    if (kind == Kind.WARM && t != null && t.isWord("COLUMNS")) {
      lx.expect("(");
      do {
        Token c = lx.next();
        if (c == null || (c.kind != TokenKind.WORD && c.kind != TokenKind.QUOTED_ID)) {
          throw lx.error(c, "a column name");
        }
        columns.add(c.text);
        t = lx.next();
      } while (t != null && t.isPunct(","));
      if (t == null || !t.isPunct(")")) {
        throw lx.error(t, "',' or ')'");
      }
      t = lx.next();
    }
    if (kind == Kind.WARM && t != null && t.isWord("WHERE")) {
      where = lx.rest().trim();
      if (where.endsWith(";")) {
        where = where.substring(0, where.length() - 1).trim();
      }
      if (where.isEmpty()) {
        throw lx.error(null, "a predicate after WHERE");
      }
      t = null;
    }
    if (t != null && t.isPunct(";")) {
      t = lx.next();
    }
    if (t != null) {
      throw lx.error(t, "the end of the statement");
    }
    return new CellarStatement(kind, target, columns, where);
  }

  /** A target starting at token t. */
  private static Target target(Lexer lx, Token t) {
    if (t.kind == TokenKind.STRING) {
      return new Target(null, t.text);
    }
    if (t.kind != TokenKind.WORD && t.kind != TokenKind.QUOTED_ID) {
      throw lx.error(t, "a table name, parquet.`path` or a quoted path");
    }
    int start = t.start;
    List<Token> parts = new ArrayList<>(List.of(t));
    while (lx.peekPunct(".")) {
      lx.next();
      Token p = lx.next();
      if (p == null || (p.kind != TokenKind.WORD && p.kind != TokenKind.QUOTED_ID)) {
        throw lx.error(p, "a name after '.'");
      }
      parts.add(p);
    }
    if (parts.size() == 2 && parts.get(0).isWord("parquet")
        && parts.get(1).kind == TokenKind.QUOTED_ID) {
      return new Target(null, parts.get(1).text);
    }
    Token last = parts.get(parts.size() - 1);
    return new Target(lx.text.substring(start, last.end), null);
  }

  private enum TokenKind { WORD, QUOTED_ID, STRING, PUNCT }

  private static final class Token {
    final TokenKind kind;
    final String text;
    final int start;
    final int end;

    Token(TokenKind kind, String text, int start, int end) {
      this.kind = kind;
      this.text = text;
      this.start = start;
      this.end = end;
    }

    boolean isWord(String w) {
      return kind == TokenKind.WORD && text.equalsIgnoreCase(w);
    }

    boolean isPunct(String p) {
      return kind == TokenKind.PUNCT && text.equals(p);
    }

    boolean isEnd() {
      return isPunct(";");
    }
  }

  /** Splits the text into words, `quoted` names, 'strings' and single punctuation characters. */
  private static final class Lexer {
    final String text;
    int pos;

    Lexer(String text) {
      this.text = text;
    }

    private void skipSpace() {
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (Character.isWhitespace(c)) {
          pos++;
        } else if (text.startsWith("--", pos)) {
          int nl = text.indexOf('\n', pos);
          pos = nl < 0 ? text.length() : nl + 1;
        } else {
          return;
        }
      }
    }

    boolean peekPunct(String p) {
      skipSpace();
      return text.startsWith(p, pos);
    }

    void expect(String p) {
      Token t = next();
      if (t == null || !t.isPunct(p)) {
        throw error(t, "'" + p + "'");
      }
    }

    /** The text after the last token. */
    String rest() {
      String r = text.substring(pos);
      pos = text.length();
      return r;
    }

    Token next() {
      skipSpace();
      if (pos >= text.length()) {
        return null;
      }
      int start = pos;
      char c = text.charAt(pos);
      if (Character.isLetterOrDigit(c) || c == '_') {
        while (pos < text.length()
            && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
          pos++;
        }
        return new Token(TokenKind.WORD, text.substring(start, pos), start, pos);
      }
      if (c == '`') {
        return new Token(TokenKind.QUOTED_ID, quoted('`', false), start, pos);
      }
      if (c == '\'' || c == '"') {
        return new Token(TokenKind.STRING, quoted(c, true), start, pos);
      }
      pos++;
      return new Token(TokenKind.PUNCT, String.valueOf(c), start, pos);
    }

    /** A quoted token's content: the quote doubled stands for itself, and \ escapes in strings. */
    private String quoted(char q, boolean backslash) {
      int start = pos;
      StringBuilder sb = new StringBuilder();
      pos++;
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (backslash && c == '\\' && pos < text.length()) {
          sb.append(text.charAt(pos++));
        } else if (c == q) {
          if (pos < text.length() && text.charAt(pos) == q) {
            sb.append(q);
            pos++;
          } else {
            return sb.toString();
          }
        } else {
          sb.append(c);
        }
      }
      pos = start;
      throw error(null, "a closing " + q + " for the one at position " + (start + 1));
    }

    CellarSqlException error(Token at, String expected) {
      String found = at == null ? (pos >= text.length() ? "the end" : "'" + text.substring(pos)
          + "'") : "'" + text.substring(at.start, at.end) + "'";
      return new CellarSqlException("Cellar: cannot parse '" + text.trim() + "': expected "
          + expected + " at position " + ((at == null ? pos : at.start) + 1) + ", found " + found
          + ". Usage: CELLAR WARM <table | parquet.`path`> [COLUMNS (c1, ...)] [WHERE"
          + " <predicate>]; CELLAR CLEAR [<table | parquet.`path`> | ALL]; CELLAR STATUS"
          + " [<table | parquet.`path`>]");
    }
  }
}
