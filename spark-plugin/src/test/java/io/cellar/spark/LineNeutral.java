// SPDX-License-Identifier: Apache-2.0
// LineNeutral -- the ScalaTest tag of suites that two Spark lines cover in CI
package io.cellar.spark;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.scalatest.TagAnnotation;

/**
 * Tags a suite that exercises Cellar's own code paths (the engine's faults, the fallback rules,
 * the table filters) or line-specific code whose every variant 3.5 and 4.1 compile (the UI tab:
 * {@code javax} on 3.5, {@code jakarta} on all of 4.x), rather than a Spark line's API. {@code
 * mvn verify} runs it on 3.5 with Scala 2.12 and on 4.1; the other lines name this tag in {@code
 * cellar.test.tags.exclude} to keep CI short, and {@code -Dcellar.test.tags.exclude=} runs it on
 * any line.
 */
@TagAnnotation
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface LineNeutral {}
