// SPDX-License-Identifier: Apache-2.0
// CellarSample -- a sample as the application's status store keeps it
package io.cellar.spark.ui;

import org.apache.spark.util.kvstore.KVIndex;

/** A {@link CellarSampleEvent} in the status store (live UI and history server alike). */
public final class CellarSample {
  /** The sample's time, its key in the store. */
  @KVIndex
  public long time;
  public CellarSampleEvent event;

  public CellarSample() {}

  CellarSample(CellarSampleEvent event) {
    this.time = event.time;
    this.event = event;
  }
}
