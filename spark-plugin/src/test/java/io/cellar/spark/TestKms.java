// SPDX-License-Identifier: Apache-2.0
// TestKms -- a key "management service" in memory, for writing and reading encrypted Parquet
package io.cellar.spark;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.crypto.KeyAccessDeniedException;
import org.apache.parquet.crypto.keytools.KmsClient;

/**
 * Master keys come from {@code parquet.encryption.key.list} ({@code name:base64, ...}); a data
 * key is "wrapped" by XOR with its master key. Tests only: it protects nothing, it only makes
 * Parquet's modular encryption run without a real KMS.
 */
public final class TestKms implements KmsClient {
  private final Map<String, byte[]> masters = new HashMap<>();

  @Override
  public void initialize(Configuration conf, String id, String url, String token) {
    String list = conf.getTrimmed("parquet.encryption.key.list", "");
    for (String item : list.split(",")) {
      String[] kv = item.trim().split(":", 2);
      if (kv.length == 2) {
        masters.put(kv[0].trim(), Base64.getDecoder().decode(kv[1].trim()));
      }
    }
  }

  @Override
  public String wrapKey(byte[] key, String master) throws KeyAccessDeniedException {
    return Base64.getEncoder().encodeToString(xor(key, master));
  }

  @Override
  public byte[] unwrapKey(String wrapped, String master) throws KeyAccessDeniedException {
    return xor(Base64.getDecoder().decode(wrapped.getBytes(StandardCharsets.US_ASCII)), master);
  }

  private byte[] xor(byte[] in, String master) throws KeyAccessDeniedException {
    byte[] m = masters.get(master);
    if (m == null) {
      throw new KeyAccessDeniedException("no master key " + master);
    }
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = (byte) (in[i] ^ m[i % m.length]);
    }
    return out;
  }
}
