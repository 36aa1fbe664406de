// SPDX-License-Identifier: Apache-2.0
// SharedShim -- the ScalaTest tag of suites whose line-specific code each shim's first line covers
package io.cellar.spark;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.scalatest.TagAnnotation;

/**
 * Tags a suite that tests a shim (the statement parser's {@code ParserShims}) through Spark's
 * API of one line, where two lines compile the same shim source: 3.5 with Scala 2.12 and 2.13,
 * 4.1 and 4.2. {@code mvn verify} runs it on 3.5 with Scala 2.12, 4.0 and 4.1; 3.5 with Scala 2.13
 * and 4.2 name this tag in {@code cellar.test.tags.exclude} to keep CI short, and {@code
 * -Dcellar.test.tags.exclude=} runs it on any line.
 */
@TagAnnotation
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface SharedShim {}
