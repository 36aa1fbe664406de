// SPDX-License-Identifier: Apache-2.0
// CellarUi (Spark 4.x) -- the Cellar tab of the Spark UI and history server: Cellar's one file
// in Spark's packages, because Spark's UI tab API is internal
package org.apache.spark.cellar

import jakarta.servlet.http.HttpServletRequest

import scala.jdk.CollectionConverters._
import scala.xml.{Node, Unparsed}

import io.cellar.spark.ui.{CellarPageHtml, CellarUiListener}
import org.apache.spark.{SparkConf, SparkContext}
import org.apache.spark.scheduler.{SparkListener, SparkListenerEvent}
import org.apache.spark.status.{AppHistoryServerPlugin, ElementTrackingStore}
import org.apache.spark.ui.{SparkUI, SparkUITab, UIUtils, WebUIPage}

/** Installs the tab in a live application and posts Cellar's samples to its listener bus. */
object CellarUi {
  /** Adds the Cellar tab and its store listener; false when the application has no UI. */
  def attach(sc: SparkContext): Boolean = sc.ui match {
    case Some(ui) =>
      sc.listenerBus.addToStatusQueue(new CellarUiListener(sc.statusStore.store))
      ui.attachTab(new CellarTab(ui))
      true
    case None => false
  }

  /** Posts an event on the application's listener bus (and so into its event log). */
  def post(sc: SparkContext, event: SparkListenerEvent): Unit = sc.listenerBus.post(event)
}

class CellarTab(ui: SparkUI) extends SparkUITab(ui, "cellar") {
  attachPage(new CellarPage(this, ui))
}

class CellarPage(tab: CellarTab, ui: SparkUI) extends WebUIPage("") {
  override def render(request: HttpServletRequest): Seq[Node] = {
    val html = CellarPageHtml.render(CellarUiListener.samples(ui.store.store))
    UIUtils.headerSparkPage(request, "Cellar", Seq(Unparsed(html)), tab)
  }
}

/** The history server's half: replays Cellar's samples into the store and shows the tab. */
class CellarHistoryPlugin extends AppHistoryServerPlugin {
  override def createListeners(conf: SparkConf, store: ElementTrackingStore): Seq[SparkListener] =
    Seq(new CellarUiListener(store))

  override def setupUI(ui: SparkUI): Unit = {
    if (CellarUiListener.any(ui.store.store)) ui.attachTab(new CellarTab(ui))
  }
}
