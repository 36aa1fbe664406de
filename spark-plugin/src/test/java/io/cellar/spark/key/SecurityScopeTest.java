// SPDX-License-Identifier: Apache-2.0
// SecurityScopeTest -- what makes two reads the same security scope, and what does not
package io.cellar.spark.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.PrivilegedExceptionAction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.Test;

class SecurityScopeTest {
  private static Configuration conf(String... kv) {
    Configuration c = new Configuration(false);
    for (int i = 0; i < kv.length; i += 2) {
      c.set(kv[i], kv[i + 1]);
    }
    return c;
  }

  private static byte[] as(String user, Configuration c, boolean shared) throws Exception {
    return UserGroupInformation.createRemoteUser(user)
        .doAs((PrivilegedExceptionAction<byte[]>) () -> SecurityScope.of(c, shared));
  }

  @Test
  void theSameUserAndSettingsAreOneScopeWhateverElseDiffers() throws Exception {
    Configuration a = conf("fs.s3a.access.key", "AK", "fs.s3a.secret.key", "SK", "x.y", "1");
    Configuration b = conf("fs.s3a.secret.key", "SK", "fs.s3a.access.key", "AK", "x.y", "2",
        "spark.sql.shuffle.partitions", "7");
    assertThat(as("alice", a, false)).hasSize(SecurityScope.BYTES)
        .isEqualTo(as("alice", b, false));
  }

  @Test
  void anotherUserIsAnotherScope() throws Exception {
    Configuration c = conf("fs.s3a.access.key", "AK");
    assertThat(as("alice", c, false)).isNotEqualTo(as("bob", c, false));
  }

  @Test
  void aProxyUserIsNotItsRealUser() throws Exception {
    Configuration c = conf();
    UserGroupInformation proxy = UserGroupInformation.createProxyUser("alice",
        UserGroupInformation.createRemoteUser("service"));
    byte[] viaProxy = proxy.doAs(
        (PrivilegedExceptionAction<byte[]>) () -> SecurityScope.of(c, false));
    assertThat(viaProxy).isNotEqualTo(as("alice", c, false))
        .isNotEqualTo(as("service", c, false));
  }

  @Test
  void everySettingThatDecidesWhatMayBeReadChangesTheScope() throws Exception {
    byte[] base = as("alice", conf(), false);
    String[] deciding = {
        "fs.s3a.access.key", "fs.s3a.secret.key", "fs.s3a.session.token",
        "fs.s3a.aws.credentials.provider", "fs.s3a.assumed.role.arn",
        "fs.s3a.encryption.key", "fs.s3a.server-side-encryption.key",
        "fs.s3a.bucket.sales.access.key", "fs.s3a.bucket.sales.secret.key",
        "fs.azure.account.key.acct.dfs.core.windows.net", "fs.azure.sas.token.provider.type",
        "fs.gs.auth.service.account.json.keyfile", "google.cloud.auth.service.account.enable",
        "hadoop.security.credential.provider.path", "parquet.crypto.factory.class",
        "parquet.encryption.key.list", "parquet.encryption.kms.client.class"};
    for (String key : deciding) {
      assertThat(as("alice", conf(key, "v"), false)).as(key).isNotEqualTo(base);
      assertThat(as("alice", conf(key, "v"), false)).as(key)
          .isNotEqualTo(as("alice", conf(key, "w"), false));
    }
    for (String key : new String[] {"fs.s3a.endpoint", "fs.s3a.connection.maximum",
        "parquet.block.size", "spark.sql.session.timeZone"}) {
      assertThat(as("alice", conf(key, "v"), false)).as(key).isEqualTo(base);
    }
  }

  @Test
  void theSharedScopeIsOneForEveryone() throws Exception {
    byte[] shared = as("alice", conf("fs.s3a.secret.key", "a"), true);
    assertThat(as("bob", conf("fs.s3a.secret.key", "b"), true)).isEqualTo(shared);
    assertThat(shared).isNotEqualTo(as("alice", conf("fs.s3a.secret.key", "a"), false));
  }

  @Test
  void aConfigurationChangedAfterItsFirstReadIsStillOneObject() throws Exception {
    // the memo is per configuration object: a scan's broadcast configuration never changes
    Configuration c = conf("fs.s3a.secret.key", "a");
    byte[] first = as("alice", c, false);
    assertThat(as("alice", c, false)).isEqualTo(first);
    assertThat(as("bob", c, false)).isNotEqualTo(first);
  }
}
