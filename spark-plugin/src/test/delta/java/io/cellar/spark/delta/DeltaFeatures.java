// SPDX-License-Identifier: Apache-2.0
// DeltaFeatures -- the ScalaTest tag of the suite that reads every Delta feature through Cellar
package io.cellar.spark.delta;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.scalatest.TagAnnotation;

/**
 * Tags every test of a suite as a Delta feature test. `mvn verify` runs them on the lines whose
 * module leaves `cellar.test.tags.exclude` empty (3.5 on Scala 2.12); the other lines name this
 * tag there, and `-Dcellar.test.tags.exclude=` runs them on any line.
 */
@TagAnnotation
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface DeltaFeatures {}
