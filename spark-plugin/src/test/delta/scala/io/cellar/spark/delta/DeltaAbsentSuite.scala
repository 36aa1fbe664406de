// SPDX-License-Identifier: Apache-2.0
// DeltaAbsentSuite -- the same jar without Delta on the class path: the integration is off
package io.cellar.spark.delta

import java.io.File
import java.net.URLClassLoader

import io.cellar.spark.format.TableFormats
import org.scalatest.funsuite.AnyFunSuite

class DeltaAbsentSuite extends AnyFunSuite {

  test("with Delta on the class path the integration is active") {
    assert(TableFormats.active().contains("Delta Lake"))
  }

  test("without Delta on the class path the integration is off, and nothing fails") {
    val entries = System.getProperty("java.class.path").split(File.pathSeparator)
    val kept = entries.filterNot(_.contains(s"${File.separator}io${File.separator}delta"))
    assert(kept.length < entries.length, s"Delta is not on the test class path: ${entries.mkString(" ")}")
    val loader = new URLClassLoader(kept.map(e => new File(e).toURI.toURL),
      ClassLoader.getPlatformClassLoader)
    try {
      intercept[ClassNotFoundException](loader.loadClass(DeltaTableFormat.DELTA_FORMAT))
      // the provider itself loads and says it is unavailable, rather than failing to link
      val provider = loader.loadClass(classOf[DeltaTableFormat].getName)
        .getDeclaredConstructor().newInstance()
      assert(provider.getClass.getMethod("available").invoke(provider) == false)
      val formats = loader.loadClass(classOf[TableFormats].getName)
      assert(formats.getClassLoader == loader)
      val active = formats.getMethod("active").invoke(null).asInstanceOf[java.util.List[String]]
      assert(active.isEmpty, s"integrations active without Delta: $active")
    } finally loader.close()
  }
}
