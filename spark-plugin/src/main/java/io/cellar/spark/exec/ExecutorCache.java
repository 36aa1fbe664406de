// SPDX-License-Identifier: Apache-2.0
// ExecutorCache -- the one cache of an executor JVM, made at first use
package io.cellar.spark.exec;

import io.cellar.spark.chunk.NativeBlocks;
import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.conf.TierSpec;
import io.cellar.spark.key.SecurityScope;
import io.cellar.vmem.CellarException;
import io.cellar.vmem.ErrorCode;
import io.cellar.vmem.Policy;
import io.cellar.vmem.ReattachReport;
import io.cellar.vmem.Tier;
import io.cellar.vmem.TierStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.network.util.JavaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache of one executor JVM (or of the driver in local mode): the tier stack named by {@code
 * spark.cellar.tiers}, made lazily at the first cached scan (or by the executor plugin at start),
 * shared by all tasks, closed at JVM shutdown. When it cannot be made (the native library does not
 * load, no tier is usable) it stays unavailable with the reason, and scans read uncached.
 *
 * <p>Thread-safe.
 */
public final class ExecutorCache {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorCache.class);
  private static final long MIN_DEFAULT_DRAM = 64L << 20;
  /** Evicted keys the journal keeps between two reports; beyond, the reporter lists the cache. */
  private static final int JOURNAL_KEYS = 1 << 16;
  private static final Object LOCK = new Object();
  private static volatile ExecutorCache instance;

  private final TierStack cache;
  private final String unavailable;
  private final List<TierSpec> tiers;
  private final FooterCache footers;
  private final BuildHelpers builders;
  private final AtomicBoolean warned = new AtomicBoolean();
  /** Set when the cache closes: committing memory ahead stops. */
  private volatile boolean closing;
  private final Inventory inventory = new Inventory();
  /** Bytes of DRAM tiers committed ahead of use, all tiers; done when the committing stops. */
  private final CompletableFuture<Long> prefaulted = new CompletableFuture<>();
  /** Done once the chunks a reattached pool brought back were checked against their files. */
  private final CompletableFuture<Void> stocked = new CompletableFuture<>();

  /** Chunks served from the cache (any tier). */
  public final AtomicLong hits = new AtomicLong();
  /** Chunks looked up and not found. */
  public final AtomicLong misses = new AtomicLong();
  /** Chunks decoded and added. */
  public final AtomicLong added = new AtomicLong();
  /** Chunks that could not be added (too large, no space). */
  public final AtomicLong notAdded = new AtomicLong();
  /** Cached chunks that failed their checks when read back; each was dropped and decoded anew. */
  public final AtomicLong rejected = new AtomicLong();
  /** Files or columns read without the cache because of an error or an unavailable cache. */
  public final AtomicLong fallbacks = new AtomicLong();

  private ExecutorCache(TierStack cache, String unavailable, List<TierSpec> tiers,
      int footerEntries, int buildThreads, long buildPending) {
    this.cache = cache;
    this.unavailable = unavailable;
    this.tiers = tiers;
    this.footers = new FooterCache(footerEntries);
    this.builders = new BuildHelpers(buildThreads, buildPending);
  }

  /** This JVM's cache, made from SparkEnv's configuration at first call. */
  public static ExecutorCache get() {
    ExecutorCache c = instance;
    if (c == null) {
      synchronized (LOCK) {
        c = instance;
        if (c == null) {
          SparkEnv env = SparkEnv.get();
          Map<String, String> conf =
              env == null ? new HashMap<>() : CellarConf.settings(env.conf());
          boolean driver = env == null || "driver".equals(env.executorId());
          c = open(conf, driver);
          instance = c;
          Runtime.getRuntime().addShutdownHook(new Thread(ExecutorCache::shutdown,
              "cellar-cache-close"));
        }
      }
    }
    return c;
  }

  /**
   * This JVM's cache if one is open, without making one: for observers (the Cellar page's
   * sampler) that must not open a cache, or reopen one that {@link #shutdown()} closed.
   *
   * @return the open cache, or null
   */
  public static ExecutorCache ifOpen() {
    return instance;
  }

  /** Closes this JVM's cache; a later {@link #get()} makes a new one. */
  public static void shutdown() {
    AccessTrace.flush();
    synchronized (LOCK) {
      ExecutorCache c = instance;
      instance = null;
      if (c != null) {
        c.closing = true;
        BuildHelpers.Counters b = c.builders.counters();
        if (b.byHelpers.get() + b.byOwners.get() > 0) {
          LOG.info("Cellar: staged batches appended by build helpers {}, by tasks {}; batches"
              + " built on tasks over the pending limit {}; helper queue refusals {}",
              b.byHelpers.get(), b.byOwners.get(), b.overLimit.get(), b.refused.get());
        }
        c.builders.close();
      }
      if (c != null && c.cache != null) {
        try {
          c.cache.close();
        } catch (Exception e) {
          LOG.warn("Cellar: closing the cache failed: {}", e.toString());
        }
      }
    }
  }

  /**
   * Makes a cache from configuration: every usable tier of {@code spark.cellar.tiers}, or the
   * default DRAM tier.
   *
   * @param conf SparkConf settings
   * @param local whether this JVM is the driver of a local-mode application
   */
  static ExecutorCache open(Map<String, String> conf, boolean local) {
    List<TierSpec> wanted;
    int footers;
    int buildThreads;
    long buildPending;
    long buildArena;
    long extent;
    long putWait;
    long writeDown;
    boolean prefault;
    Policy policy;
    try {
      wanted = TierSpec.parseList(CellarConf.TIERS.from(conf));
      footers = CellarConf.FOOTER_CACHE_ENTRIES.from(conf);
      buildThreads = CellarConf.BUILD_THREADS.from(conf);
      buildPending = CellarConf.BUILD_PENDING_BYTES.from(conf);
      buildArena = CellarConf.BUILD_ARENA_BYTES.from(conf);
      extent = CellarConf.EXTENT_SIZE.from(conf);
      putWait = CellarConf.PUT_WAIT.from(conf);
      writeDown = CellarConf.WRITE_DOWN_TIMEOUT.from(conf);
      prefault = CellarConf.PREFAULT.from(conf);
      policy = "lru".equals(CellarConf.POLICY.from(conf)) ? Policy.LRU : Policy.S3FIFO;
      if (wanted.isEmpty()) {
        wanted = List.of(new TierSpec("dram", null, defaultDram(conf, local)));
      }
    } catch (IllegalArgumentException e) {
      return unavailable("invalid configuration: " + e.getMessage(), List.of(), 0);
    }
    List<Tier> tiers = new ArrayList<>();
    List<TierSpec> used = new ArrayList<>();
    byte[] owner = null;
    for (TierSpec t : wanted) {
      String problem = problem(t);
      if (problem != null) {
        LOG.warn("Cellar: tier {} left out: {}", t, problem);
        continue;
      }
      Tier tier;
      if (t.path() == null) {
        tier = Tier.dram().size(t.size());
      } else if (isDevice(t.path())) {
        tier = Tier.devdax(Path.of(t.path()));
        if (t.size() > 0) {
          tier.size(t.size());
        }
      } else {
        tier = Tier.directory(Path.of(t.path())).size(t.size());
        if (t.persistent()) {
          if (owner == null) {
            owner = poolOwner(conf);
          }
          tier.persistent().owner(owner);
        }
      }
      tiers.add(tier.extentSize(extent).putWaitMillis(putWait).policy(policy));
      used.add(t);
    }
    if (tiers.isEmpty()) {
      return unavailable("no usable tier in " + wanted, wanted, footers);
    }
    if (!NativeBlocks.configureArena(buildArena)) {
      LOG.info("Cellar: the build arena made earlier in this JVM, of {} MiB, stays; {}={} applies"
          + " to a new JVM", NativeBlocks.arenaCapacity() >> 20, CellarConf.BUILD_ARENA_BYTES.key(),
          buildArena);
    }
    // keys that leave the cache, for the driver's registry (an executor of a cluster only)
    // (only when the plugin runs, whose reporter drains it)
    boolean reporting = !local && CellarConf.LOCALITY_ENABLED.from(conf)
        && conf.getOrDefault("spark.plugins", "").contains("io.cellar.spark.CellarPlugin");
    int journal = reporting ? JOURNAL_KEYS : 0;
    try {
      TierStack.Builder sb = TierStack.builder().writeDownOnClose(writeDown);
      tiers.forEach(sb::tier);
      TierStack cache = (journal > 0 ? sb.evictionJournal(journal) : sb).build();
      LOG.info("Cellar: cache open with tiers {}, extent {} B, policy {}{}", used, extent, policy,
          owner == null ? "" : ", persistent pools of owner scope "
              + java.util.HexFormat.of().formatHex(owner));
      Optional<ReattachReport> r = cache.reattach();
      r.ifPresent(ExecutorCache::logReattach);
      ExecutorCache ec = new ExecutorCache(cache, null, used, footers, buildThreads,
          buildPending);
      ec.sweepStale(conf, r.map(ReattachReport::entriesRecovered).orElse(0L) > 0);
      if (prefault) {
        ec.prefault(used);
      } else {
        ec.prefaulted.complete(0L);
      }
      return ec;
    } catch (RuntimeException | LinkageError e) {
      return unavailable("cannot open tiers " + used + ": " + e, used, footers);
    }
  }

  /**
   * The owner of this application's persistent pools: its security scope (the Spark user and its
   * credential settings), so that an application of another scope never reattaches them but
   * makes pools of its own beside them.
   */
  static byte[] poolOwner(Map<String, String> conf) {
    return SecurityScope.ofApplication(conf, CellarConf.SHARED_SCOPE.from(conf));
  }

  /**
   * When the pool came back with chunks: evicts, on a daemon thread, those whose source file
   * changed or vanished since (they can never be served), then completes {@link #stocked()}.
   */
  private void sweepStale(Map<String, String> conf, boolean hasContents) {
    if (!hasContents) {
      stocked.complete(null);
      return;
    }
    Thread t = new Thread(() -> {
      try {
        List<byte[]> keys = new ArrayList<>();
        cache.forEachKey(keys::add);
        StaleChunks.Result swept = StaleChunks.sweep(cache, keys, conf);
        LOG.info("Cellar: the cache starts with {} chunks of {} files; evicted {} chunks of {}"
            + " files that changed or disappeared since", keys.size(), swept.files(),
            swept.evicted(), swept.staleFiles());
      } catch (RuntimeException e) {
        LOG.warn("Cellar: checking the reattached chunks against their files failed: {}",
            e.toString());
      } finally {
        stocked.complete(null);
      }
    }, "cellar-stale-sweep");
    t.setDaemon(true);
    t.start();
  }

  /** How much of a DRAM tier one prefault call commits: small enough to stop soon at close. */
  private static final long PREFAULT_SLICE = 2L << 20;

  /**
   * Commits, on a daemon thread at nice 19, the build arena (where chunks are built) and then the
   * DRAM tiers' memory, from the start of each pool (where puts fill it), a slice at a time, so
   * that the first queries build and copy chunks in memory already there. Stops at the end of
   * the pools, at close, or at the first refusal (a kernel without MADV_POPULATE_WRITE: a note;
   * anything else: a warning). Each pool is then committed, or partly, which changes nothing but
   * speed.
   */
  private void prefault(List<TierSpec> used) {
    Thread t = new Thread(() -> {
      if (!TierStack.lowerCallerPriority()) {
        LOG.info("Cellar: the DRAM tiers are committed at normal priority: the system refused"
            + " a lower one");
      }
      long total = 0;
      try {
        long start = System.nanoTime();
        long arena = NativeBlocks.commitArena(() -> !closing);
        if (arena > 0) {
          LOG.info("Cellar: committed {} MiB of the build arena in {} ms", arena >> 20,
              (System.nanoTime() - start) / 1_000_000);
        }
        for (int i = 0; i < used.size(); i++) {
          if (used.get(i).path() == null) {
            total += prefault(i);
          }
        }
      } catch (IllegalStateException e) {
        // the cache closed
      } catch (CellarException e) {
        if (e.code() == ErrorCode.EOPNOTSUPP) {
          LOG.info("Cellar: DRAM tiers are committed as chunks arrive: {}", e.getMessage());
        } else {
          LOG.warn("Cellar: committing the DRAM tiers stopped: {}", e.toString());
        }
      } finally {
        prefaulted.complete(total);
      }
    }, "cellar-prefault");
    t.setDaemon(true);
    t.start();
  }

  /** Commits DRAM tier i from its start to its end, a slice at a time; its size. */
  private long prefault(int tier) {
    long start = System.nanoTime();
    long at = 0;
    for (long next = 0; ; at = next) {
      next = cache.prefault(tier, at, PREFAULT_SLICE);
      if (next <= at) {
        break;
      }
    }
    LOG.info("Cellar: committed the {} MiB of DRAM tier {} in {} ms", at >> 20, tier,
        (System.nanoTime() - start) / 1_000_000);
    return at;
  }

  /**
   * Completes when the DRAM tiers' memory was committed ahead of use ({@code
   * spark.cellar.pool.prefault.enabled}), or when committing stopped: with the bytes committed,
   * all tiers.
   */
  public CompletableFuture<Long> prefaulted() {
    return prefaulted;
  }

  /** Completes when the start-up check of a reattached pool's chunks is over. */
  public CompletableFuture<Void> stocked() {
    return stocked;
  }

  /** The persistent pool's inventory at start: what came back, what was dropped. */
  private static void logReattach(ReattachReport r) {
    String what = String.format(java.util.Locale.ROOT, "%s: %d chunks (%.1f MiB) back, %d"
        + " dropped, in %.1f ms", r.poolFile(), r.entriesRecovered(),
        r.bytesRecovered() / 1048576.0, r.entriesDropped(), r.elapsedNanos() / 1e6);
    switch (r.state()) {
      case NEW -> LOG.info("Cellar: new persistent pool {}", r.poolFile());
      case CLEAN -> LOG.info("Cellar: reattached persistent pool after a clean close, {}", what);
      case RECOVERED -> LOG.warn("Cellar: reattached persistent pool after an unclean stop, {};"
          + " each chunk is checked at its first read", what);
      case RECREATED -> LOG.warn("Cellar: persistent pool {} could not be used and was set aside"
          + " for a new one: {}", r.poolFile(), r.message());
      default -> LOG.info("Cellar: persistent pool {}", what);
    }
  }

  private static ExecutorCache unavailable(String why, List<TierSpec> tiers, int footers) {
    LOG.warn("Cellar: the cache is not available, Parquet scans read uncached: {}", why);
    ExecutorCache e = new ExecutorCache(null, why, tiers, footers, 0, 0);
    e.stocked.complete(null);
    e.prefaulted.complete(0L);
    return e;
  }

  private static long defaultDram(Map<String, String> conf, boolean local) {
    String key = local ? "spark.driver.memory" : "spark.executor.memory";
    long memory = JavaUtils.byteStringAsBytes(conf.getOrDefault(key, "1g"));
    double fraction = CellarConf.DRAM_FRACTION.from(conf);
    return Math.max(MIN_DEFAULT_DRAM, (long) (memory * fraction));
  }

  private static boolean isDevice(String path) {
    Path p = Path.of(path);
    return Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p);
  }

  /** Why a file-backed tier cannot be used here, or null. */
  private static String problem(TierSpec t) {
    if (t.path() == null) {
      return null;
    }
    Path p = Path.of(t.path());
    if (!Files.exists(p)) {
      return t.path() + " does not exist";
    }
    if (isDevice(t.path())) {
      return null;
    }
    if (!Files.isDirectory(p)) {
      return t.path() + " is not a directory";
    }
    if (t.size() == 0) {
      return "a pool in directory " + t.path() + " needs a size (pmem:PATH:SIZE)";
    }
    if (!Files.isWritable(p)) {
      return t.path() + " is not writable";
    }
    if (t.persistent() && hasPoolFile(p)) {
      // a pool to reattach: its space is already taken, by the pool itself
      return null;
    }
    try {
      long free = Files.getFileStore(p).getUsableSpace();
      if (free < t.size()) {
        return t.path() + " has " + free + " B free, the tier needs " + t.size() + " B";
      }
    } catch (IOException e) {
      return "cannot read the free space of " + t.path() + ": " + e.getMessage();
    }
    return null;
  }

  private static boolean hasPoolFile(Path dir) {
    try (var files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().matches("cellar-\\d+\\.pool"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether scans can use the cache. */
  public boolean available() {
    return cache != null;
  }

  /** Why the cache is unavailable, or null. */
  public String unavailableReason() {
    return unavailable;
  }

  /** The cache; null when unavailable. */
  public TierStack cache() {
    return cache;
  }

  /** The tiers in use, top first. */
  public List<TierSpec> tiers() {
    return tiers;
  }

  /** What this cache reports to the driver's registry (a no-op until the plugin attaches it). */
  public Inventory inventory() {
    return inventory;
  }

  /** The threads that build chunks beside the tasks. */
  public BuildHelpers builders() {
    return builders;
  }

  /** The footers and row-group choices of this cache's scans; they go with the cache. */
  public FooterCache footers() {
    return footers;
  }

  /**
   * Logs a cache failure once per executor (later ones at debug level) and counts a fallback.
   */
  public void warnFallback(String what, Throwable cause) {
    fallbacks.incrementAndGet();
    if (warned.compareAndSet(false, true)) {
      LOG.warn("Cellar: {} read without the cache: {} (further such fallbacks are logged at"
          + " debug level)", what, cause.toString());
    } else {
      LOG.debug("Cellar: {} read without the cache", what, cause);
    }
  }
}
