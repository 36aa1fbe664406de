// SPDX-License-Identifier: Apache-2.0
// CellarEncryptionSuite -- files written with Parquet modular encryption are not cached by default
package io.cellar.spark

import org.apache.spark.sql.DataFrame

/**
 * An encrypted file's footer and chunks, once cached, would be served decrypted to any reader of
 * the executor, keys or not. So by default Cellar leaves such files to Spark's reader: results
 * are Spark's, nothing is cached, and a session without the keys fails as it does without
 * Cellar, even after a session with the keys read the file. With
 * spark.cellar.cache.encrypted-files.enabled the files are cached, and still refused to a session
 * that does not allow it.
 */
class CellarEncryptionSuite extends CellarSuiteBase {
  private val keys = Map(
    "parquet.crypto.factory.class" ->
      "org.apache.parquet.crypto.keytools.PropertiesDrivenCryptoFactory",
    "parquet.encryption.kms.client.class" -> classOf[TestKms].getName,
    "parquet.encryption.key.list" ->
      "footerKey:AAECAwQFBgcICQoLDA0ODw==, columnKey:AAECAAECAAECAAECAAECAA==")
  private val allow = Map("spark.cellar.cache.encrypted-files.enabled" -> "true")

  /** Runs f with the session settings given, restoring the old values after. */
  private def withConf[T](kv: Map[String, String])(f: => T): T = {
    val old = kv.keys.map(k => k -> spark.conf.getOption(k)).toMap
    kv.foreach { case (k, v) => spark.conf.set(k, v) }
    try f finally old.foreach {
      case (k, Some(v)) => spark.conf.set(k, v)
      case (k, None) => spark.conf.unset(k)
    }
  }

  /** Two files with an encrypted column `secret` and a plain column `plain`. */
  private def write(name: String, plaintextFooter: Boolean): String = {
    val path = workDir.resolve(name).toString
    withConf(keys) {
      spark.range(0, 3000, 1, 2)
        .selectExpr("id", "concat('secret-', id) AS secret", "id * 2 AS plain")
        .write
        .option("parquet.encryption.column.keys", "columnKey:secret")
        .option("parquet.encryption.footer.key", "footerKey")
        .option("parquet.encryption.plaintext.footer", plaintextFooter.toString)
        .parquet(path)
    }
    path
  }

  private def cachedKeys(): Int = {
    var n = 0
    cache.cache().forEachKey(_ => n += 1)
    n
  }

  private def failsBothWays(query: => DataFrame): Unit = {
    intercept[Exception](withCellar(on = false)(rows(query)))
    intercept[Exception](withCellar(on = true)(rows(query)))
  }

  for (plaintextFooter <- Seq(false, true)) {
    val mode = if (plaintextFooter) "a plaintext footer" else "an encrypted footer"
    test(s"files with $mode: read by Spark's reader and never cached, unless allowed") {
      val path = write(s"enc-$plaintextFooter", plaintextFooter)
      def all = spark.read.parquet(path).where("id % 7 = 3")
      withConf(keys) {
        val (before, added) = (cachedKeys(), cache.added.get())
        checkSame(all)
        assert(cache.added.get() == added, "chunks of an encrypted file were cached")
        assert(cachedKeys() == before)
      }
      // without the keys: the error Spark gives, with or without Cellar
      failsBothWays(spark.read.parquet(path).select("secret"))
      if (plaintextFooter) {
        // the plain column of a plaintext footer file is readable without keys, as in Spark
        checkSame(spark.read.parquet(path).select("id", "plain"))
      }

      withConf(keys ++ allow) {
        val added = cache.added.get()
        checkSame(all)
        assert(cache.added.get() > added, "an allowed encrypted file was not cached")
      }
      // cached now, and still refused to a session without the keys that does not allow it
      failsBothWays(spark.read.parquet(path).select("secret"))
      withConf(keys) {
        val hits = cache.hits.get()
        checkSame(all)
        assert(cache.hits.get() == hits, "a session that does not allow it was served the cache")
      }
    }
  }

  test("an allowed encrypted file is served only to readers with the same keys (security scope)") {
    val path = write("enc-scope", plaintextFooter = false)
    def all = spark.read.parquet(path).where("id % 5 = 2")
    withConf(keys ++ allow) {
      checkSame(all)
    }
    // other master keys, encryption allowed: a scope of its own, so no cached footer or chunk;
    // the read fails as it does without Cellar (the wrong key cannot unwrap the file's keys)
    // (another access token, or Parquet's key tools reuse the first session's KMS client)
    val otherKeys = keys ++ Map(
      "parquet.encryption.key.list" ->
        "footerKey:AAAAAAAAAAAAAAAAAAAAAA==, columnKey:AQEBAQEBAQEBAQEBAQEBAQ==",
      "parquet.encryption.key.access.token" -> "another")
    withConf(otherKeys ++ allow) {
      failsBothWays(all)
    }
    // the same keys again: the same scope, served from the cache
    withConf(keys ++ allow) {
      val (hits, added) = (cache.hits.get(), cache.added.get())
      assert(withCellar(on = true)(rows(all)) == withCellar(on = false)(rows(all)))
      assert(cache.hits.get() > hits && cache.added.get() == added)
    }
  }
}
