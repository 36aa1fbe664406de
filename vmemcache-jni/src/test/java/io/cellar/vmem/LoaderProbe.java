// SPDX-License-Identifier: Apache-2.0
// LoaderProbe.java -- a main() that NativeLoaderTest runs in a fresh JVM with loader properties
package io.cellar.vmem;

/** Loads twice (the second call shows what a remembered failure looks like) and uses a cache. */
public final class LoaderProbe {
  private LoaderProbe() {}

  public static void main(String[] args) {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        NativeLoader.ensureLoaded();
        System.out.println("loaded " + NativeLoader.loadedFrom());
        try (TierStack cache = Tier.dram().open()) {
          cache.put(new byte[] {1}, new byte[] {2});
          System.out.println("cache works: " + cache.exists(new byte[] {1}));
        }
      } catch (UnsatisfiedLinkError e) {
        System.out.println("failed #" + System.identityHashCode(e) + ": " + e.getMessage());
      }
    }
  }
}
