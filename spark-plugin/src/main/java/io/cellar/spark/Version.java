// SPDX-License-Identifier: Apache-2.0
// Version -- Cellar's version, as the jar's manifest states it
package io.cellar.spark;

/** Cellar's version. */
public final class Version {
  /** From the jar's manifest, or "dev" when running from classes. */
  public static final String CELLAR = version();

  private Version() {}

  private static String version() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
