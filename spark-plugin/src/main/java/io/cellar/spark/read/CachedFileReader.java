// SPDX-License-Identifier: Apache-2.0
// CachedFileReader -- reads one split of a Parquet file from cached chunks, decoding what is missing
package io.cellar.spark.read;

import io.cellar.scheduler.FileId;
import io.cellar.spark.chunk.ChunkLayout;
import io.cellar.spark.chunk.ChunkTypes;
import io.cellar.spark.chunk.ChunkVector;
import io.cellar.spark.chunk.ChunkWriter;
import io.cellar.spark.chunk.StagedVector;
import io.cellar.spark.chunk.WrappedVector;
import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.exec.AccessTrace;
import io.cellar.spark.exec.BuildHelpers;
import io.cellar.spark.exec.ExecutorCache;
import io.cellar.spark.exec.FooterCache;
import io.cellar.spark.exec.SerialLane;
import io.cellar.spark.key.ChunkKey;
import io.cellar.spark.key.FileIds;
import io.cellar.spark.key.SecurityScope;
import io.cellar.spark.shims.ParquetReaderShims;
import io.cellar.vmem.ByteCache;
import io.cellar.vmem.CacheFullException;
import io.cellar.vmem.Pin;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapreduce.JobID;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetInputFormat;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.RebaseDateTime;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetReadSupport;
import org.apache.spark.sql.execution.datasources.parquet.VectorizedParquetRecordReader;
import org.apache.spark.sql.execution.vectorized.ColumnVectorUtils;
import org.apache.spark.sql.execution.vectorized.ConstantColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;
import scala.collection.AbstractIterator;

/**
 * Reads the row groups of one split, as Spark's vectorized reader would choose them (split range,
 * then the pushed-down predicate), one batch at a time. For each row group, every requested
 * column is served from its cached chunk when there is one (pinned, read in place); the missing
 * columns alone are decoded by Spark's reader, served as it decodes them, and added to the cache
 * when the row group is done. Batches hold at most the scan's batch size of rows and never span
 * row groups.
 *
 * <p>Building beside the task: a decoded batch of a flat column is copied ({@link StagedVector})
 * and its append to the chunk is queued on the column's {@link SerialLane}, which the executor's
 * {@link BuildHelpers} serve while the task decodes on. At the end of the row group the task runs
 * what no helper took, column by column, after the one batch a helper may be appending to that
 * column; a helper meanwhile works on other columns. Columns that cannot be copied, and every
 * column while the executor's staged bytes are over their limit, are appended on the task, in
 * order with what was queued for that column before.
 *
 * <p>Spark's FileScanRDD closes this iterator (it is {@link Closeable}) when it moves to the next
 * file and when the task ends; only then are pins released and decoders freed, so batches stay
 * valid while the plan above consumes them.
 */
final class CachedFileReader extends AbstractIterator<Object> implements Closeable {
  /** The field metadata key of a Parquet field id (Spark's ParquetUtils.FIELD_ID_METADATA_KEY). */
  private static final String FIELD_ID = "parquet.field.id";
  private final ReadSettings s;
  private final Configuration conf;
  private final PartitionedFile file;
  private final ByteCache cache;
  private final ExecutorCache owner;
  private final ScanMetrics metrics;
  private final FooterCache footers;
  /** The reader's security scope (hex): part of every chunk's profile and of the footer key. */
  private final String scope;
  private final FileId id;
  private final StructField[] fields;
  /** The split's file, opened only when something is read from it. */
  private final SplitInput input;

  private ParquetMetadata footer;
  private final List<BlockMetaData> blocks = new ArrayList<>();
  private String convertTz;
  private RebaseDateTime.RebaseSpec datetimeRebase;
  private RebaseDateTime.RebaseSpec int96Rebase;
  private byte[][] profiles;
  private final ColumnVector[] out;
  private final ConstantColumnVector[] partitionVectors;
  /** Per requested column, its values when the reader makes them (see GeneratedColumn). */
  private final GeneratedColumn.Values[] generated;

  // the row group being read
  private int next;
  private BlockMetaData block;
  /** The block's index among the footer's row groups. */
  private int blockOrdinal;
  private int rowInBlock;
  private int blockRows;
  private final List<Pin> pins = new ArrayList<>();
  private final List<AutoCloseable> blockMemory = new ArrayList<>();
  private final ChunkVector[] chunks;
  private VectorizedParquetRecordReader decoder;
  private int[] decoded; // column -> index in the decoder's batch, or -1
  private ChunkWriter[] writers;
  /** Per column, the appends queued for the helpers, in order; run by a helper or the task. */
  private final SerialLane[] lanes;
  private final BuildHelpers builders;
  /** Per column, staged copies whose appends have run, kept for reuse (at most {@link #SPARE}). */
  private final List<ConcurrentLinkedQueue<StagedVector>> spare = new ArrayList<>();
  /** Staged batches of a column queued before a helper is woken for them (see SerialLane). */
  private static final int OFFER_AT = 4;
  /** Enough for the batches queued before a helper is woken and those it then takes in turn. */
  private static final int SPARE = 2 * OFFER_AT;
  /** Per column: whether batches of its type can be staged. */
  private final boolean[] stageable;
  /** Per column of the row group: whether a batch of it was staged (queued appends follow). */
  private boolean[] staged;
  /** Per column: a chunk whose append failed (the throwable) or grew too large; set by appends. */
  private Throwable[] broken;
  private static final Throwable TOO_LARGE = new Throwable("over the chunk size limit", null,
      false, false) {
        private static final long serialVersionUID = 1L;
      };
  /** Native bytes of this reader's chunks being built, as added to the executor's sum. */
  private final AtomicLong building = new AtomicLong();
  /** The decoders' configuration, and the columns (JSON) it asks for. */
  private Configuration decoderConf;
  private String decoderColumns;
  /** Read by the build helpers too (a job closes itself when the reader has closed). */
  private volatile boolean closed;

  CachedFileReader(ReadSettings s, Configuration conf, PartitionedFile file, ExecutorCache owner,
      ScanMetrics metrics, FooterCache footers) throws IOException {
    this.s = s;
    this.conf = conf;
    this.file = file;
    this.owner = owner;
    this.cache = owner.cache();
    this.metrics = metrics;
    this.footers = footers;
    this.id = FileIds.of(file);
    this.scope = HexFormat.of().formatHex(SecurityScope.of(conf, s.sharedScope));
    this.fields = s.requiredSchema.fields();
    this.chunks = new ChunkVector[fields.length];
    this.builders = owner.builders();
    this.lanes = new SerialLane[fields.length];
    this.stageable = new boolean[fields.length];
    for (int i = 0; i < fields.length; i++) {
      stageable[i] = StagedVector.canStage(fields[i].dataType());
      lanes[i] = new SerialLane(builders, OFFER_AT);
      spare.add(new ConcurrentLinkedQueue<>());
    }
    this.out = new ColumnVector[fields.length + s.partitionSchema.length()];
    this.partitionVectors = new ConstantColumnVector[s.partitionSchema.length()];
    for (int i = 0; i < partitionVectors.length; i++) {
      partitionVectors[i] =
          new ConstantColumnVector(s.batchSize, s.partitionSchema.fields()[i].dataType());
      ColumnVectorUtils.populate(partitionVectors[i], file.partitionValues(), i);
      out[fields.length + i] = partitionVectors[i];
    }
    this.input = new SplitInput(file, conf);
    this.generated = new GeneratedColumn.Values[fields.length];
    try {
      for (int i = 0; i < fields.length; i++) {
        if (s.generated[i] != null) {
          generated[i] = s.generated[i].open(file, conf, s.batchSize);
        }
      }
      if (s.confirmFiles) {
        confirm();
      }
      openSplit();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Looks the file up: a missing file throws FileNotFoundException, as Spark's reader would
   * (and Spark's handling of missing files applies); one of another length is read uncached.
   */
  private void confirm() throws IOException {
    Path path = file.toPath();
    FileStatus st = path.getFileSystem(conf).getFileStatus(path);
    if (st.getLen() != file.fileSize()) {
      throw new IOException(path + " is " + st.getLen() + " bytes, listed with "
          + file.fileSize());
    }
  }

  /** Finds the split's footer and row groups, from the footer cache when it can. */
  private void openSplit() throws IOException {
    FooterCache.Split split = new FooterCache.Split(id, file.start(), file.length(), scope);
    FooterCache.Meta meta = footers.get(split);
    if (meta == null) {
      // Spark's footer filter: the row groups whose midpoint lies in the split
      ParquetReadOptions opts = HadoopReadOptions.builder(conf, file.toPath())
          .withRange(file.start(), file.start() + file.length())
          .build();
      try {
        meta = new FooterCache.Meta(
            ParquetFileReader.readFooter(input.file(), opts, input.stream()));
      } catch (ParquetCryptoRuntimeException e) {
        // an encrypted footer and no key for it: Spark's reader gives the error it gives
        throw new NotCacheable(file.urlEncodedPath() + " is encrypted", e);
      }
      refuseEncrypted(meta.footer);
      footers.put(split, meta);
    } else {
      // cached by a session that allowed encrypted files
      refuseEncrypted(meta.footer);
    }
    footer = meta.footer;
    var fileMeta = footer.getFileMetaData();
    datetimeRebase = SparkParquetInternals.datetimeRebase(fileMeta, s.datetimeRebaseMode);
    int96Rebase = SparkParquetInternals.int96Rebase(fileMeta, s.int96RebaseMode);
    boolean byParquetMr =
        fileMeta.getCreatedBy() != null && fileMeta.getCreatedBy().startsWith("parquet-mr");
    convertTz = s.int96TimestampConversion && !byParquetMr ? s.sessionTimeZone : null;

    FilterPredicate pushed = SparkParquetInternals.pushed(fileMeta, s, datetimeRebase);
    if (pushed == null) {
      blocks.addAll(footer.getBlocks());
    } else {
      String key = pushed.toString();
      long[] starts = meta.selected.get(key);
      if (starts == null) {
        starts = filterRowGroups(pushed);
        meta.selected.put(key, starts);
      }
      for (BlockMetaData b : footer.getBlocks()) {
        if (Arrays.binarySearch(starts, b.getStartingPos()) >= 0) {
          blocks.add(b);
        }
      }
    }
    profiles = new byte[fields.length][];
    for (int i = 0; i < fields.length; i++) {
      profiles[i] = profile(fields[i]);
    }
  }

  /**
   * Throws {@link NotCacheable} for a file written with Parquet modular encryption, unless the
   * session allows caching such files: their footers and chunks would be kept decrypted and
   * served to any reader, whatever its keys.
   */
  private void refuseEncrypted(ParquetMetadata f) throws NotCacheable {
    if (s.cacheEncrypted) {
      return;
    }
    boolean encrypted =
        f.getFileMetaData().getEncryptionType() != FileMetaData.EncryptionType.UNENCRYPTED;
    for (int b = 0; b < f.getBlocks().size() && !encrypted; b++) {
      for (ColumnChunkMetaData c : f.getBlocks().get(b).getColumns()) {
        encrypted |= c.isEncrypted();
      }
    }
    if (encrypted) {
      throw new NotCacheable(file.urlEncodedPath() + " is encrypted and "
          + CellarConf.CACHE_ENCRYPTED.key() + " is false", null);
    }
  }

  /** A file Cellar leaves to Spark's reader on purpose: read uncached, without a warning. */
  static final class NotCacheable extends IOException {
    private static final long serialVersionUID = 1L;

    NotCacheable(String why, Throwable cause) {
      super(why, cause);
    }
  }

  /** The row groups Spark's reader keeps for a predicate: statistics, dictionaries, blooms. */
  private long[] filterRowGroups(FilterPredicate pushed) throws IOException {
    ParquetReadOptions opts = HadoopReadOptions.builder(conf, file.toPath())
        .withRange(file.start(), file.start() + file.length())
        .withRecordFilter(FilterCompat.get(pushed))
        .build();
    try (ParquetFileReader r = ParquetReaderShims.rowGroupReader(input.file(), footer, opts,
        input.stream())) {
      return r.getRowGroups().stream().mapToLong(BlockMetaData::getStartingPos).sorted().toArray();
    }
  }

  /** The digest of everything that shapes a column's decoded values in this file. */
  private byte[] profile(StructField f) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      String p = s.profileBase + "|" + f.dataType().json() + "|" + datetimeRebase.mode() + "/"
          + datetimeRebase.timeZone() + "|" + int96Rebase.mode() + "/" + int96Rebase.timeZone()
          + "|" + convertTz + "|scope=" + scope;
      if (f.metadata().contains(FIELD_ID)) {
        // a column matched by its Parquet field id (Delta's column mapping by id)
        p += "|id=" + f.metadata().getLong(FIELD_ID);
      }
      return Arrays.copyOf(md.digest(p.getBytes(StandardCharsets.UTF_8)),
          ChunkKey.PROFILE_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private ChunkKey chunkKey(int column) {
    return new ChunkKey(id, block.getStartingPos(), blockOrdinal, block.getCompressedSize(),
        fields[column].name(), profiles[column]);
  }

  private byte[] key(int column) {
    return chunkKey(column).encode();
  }

  @Override
  public boolean hasNext() {
    if (closed) {
      return false;
    }
    while (block == null || rowInBlock >= blockRows) {
      if (block != null) {
        finishBlock();
      }
      if (next >= blocks.size()) {
        return false;
      }
      try {
        openBlock(blocks.get(next++));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return true;
  }

  @Override
  public Object next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int n;
    if (decoder != null) {
      try {
        if (!decoder.nextBatch()) {
          throw new IllegalStateException("Spark's reader ended row group " + block.getStartingPos()
              + " of " + id.path() + " after " + rowInBlock + " of " + blockRows + " rows");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ColumnarBatch b = decoder.resultBatch();
      n = b.numRows();
      boolean stage = builders.stagingOpen();
      boolean counted = false;
      for (int i = 0; i < fields.length; i++) {
        if (decoded[i] < 0) {
          continue;
        }
        WritableColumnVector v = (WritableColumnVector) b.column(decoded[i]);
        ((WrappedVector) out[i]).wrap(v);
        if (writers[i] == null) {
          continue;
        }
        if (stage && stageable[i] && stage(i, v, n)) {
          staged[i] = true;
          continue;
        }
        if (staged[i]) {
          // on this thread, after the appends queued for this column before
          lanes[i].runAll();
          if (!stage && !counted) {
            builders.counters().overLimit.incrementAndGet();
            counted = true;
          }
        }
        append(i, v, n);
      }
    } else {
      n = Math.min(s.batchSize, blockRows - rowInBlock);
    }
    for (int i = 0; i < fields.length; i++) {
      if (chunks[i] != null) {
        chunks[i].slice(rowInBlock, n);
      }
    }
    for (GeneratedColumn.Values g : generated) {
      if (g != null) {
        g.fill(block.getRowIndexOffset() + rowInBlock, n);
      }
    }
    rowInBlock += n;
    return new ColumnarBatch(out, n);
  }

  /**
   * Appends rows [0, n) of v to column i's chunk, on whichever thread runs the appends of this
   * reader (one at a time, in order). A failure or a chunk over the size limit marks the column
   * broken: it gets no more appends, and the reader drops it at the end of the row group.
   */
  private void append(int i, WritableColumnVector v, int n) {
    if (broken[i] != null) {
      return;
    }
    ChunkWriter w = writers[i];
    long before = w.bytes();
    try {
      w.append(v, n);
      if (w.bytes() > s.chunkMaxBytes) {
        broken[i] = TOO_LARGE;
      }
    } catch (Throwable t) {
      // never cache a chunk an append left half done, whatever stopped it
      broken[i] = t;
      if (t instanceof Error e && !(t instanceof StackOverflowError)) {
        throw e;
      }
    }
    long grown = w.bytes() - before;
    building.addAndGet(grown);
    builders.buildingBytes.addAndGet(grown);
  }

  /** Copies column i's batch and queues its append; false when it cannot be copied. */
  private boolean stage(int i, WritableColumnVector v, int n) {
    StagedVector copy = spare.get(i).poll();
    if (copy == null) {
      copy = new StagedVector(fields[i].dataType(), s.batchSize);
    }
    long bytes = copy.stage(v, n);
    if (bytes < 0) {
      copy.close();
      return false;
    }
    builders.pendingBytes.addAndGet(bytes);
    lanes[i].submit(new Append(i, copy, n, bytes));
    return true;
  }

  /** The append of one staged batch of one column. */
  private final class Append implements SerialLane.Job {
    private final int column;
    private final StagedVector copy;
    private final int rows;
    private final long bytes;

    Append(int column, StagedVector copy, int rows, long bytes) {
      this.column = column;
      this.copy = copy;
      this.rows = rows;
      this.bytes = bytes;
    }

    @Override
    public void run() {
      append(column, copy.vector(), rows);
      discard();
    }

    /** Gives the copy back for reuse, or frees it when enough are kept or the reader closed. */
    @Override
    public void discard() {
      builders.pendingBytes.addAndGet(-bytes);
      ConcurrentLinkedQueue<StagedVector> kept = spare.get(column);
      if (closed || kept.size() >= SPARE) {
        copy.close();
      } else {
        kept.add(copy);
      }
    }
  }

  /** Runs every queued append, then drops the chunks that failed or grew too large. */
  private void settleAppends() {
    // from the last column: a helper works from the first
    for (int i = lanes.length - 1; i >= 0; i--) {
      lanes[i].runAll();
    }
    if (writers == null) {
      return;
    }
    for (int i = 0; i < fields.length; i++) {
      if (writers[i] != null && broken[i] != null) {
        if (broken[i] != TOO_LARGE) {
          // the batches themselves are Spark's and were served; only the chunk is not cached
          owner.warnFallback("building a column chunk", broken[i]);
        }
        long held = writers[i].bytes();
        building.addAndGet(-held);
        builders.buildingBytes.addAndGet(-held);
        dropWriter(i);
      }
    }
  }

  private void dropWriter(int i) {
    writers[i].close();
    writers[i] = null;
    owner.notAdded.incrementAndGet();
  }

  /** Pins what is cached of a row group and starts decoding the rest. */
  private void openBlock(BlockMetaData b) throws IOException {
    block = b;
    blockOrdinal = footer.getBlocks().indexOf(b);
    rowInBlock = 0;
    blockRows = Math.toIntExact(b.getRowCount());
    List<StructField> missing = new ArrayList<>();
    decoded = new int[fields.length];
    writers = new ChunkWriter[fields.length];
    staged = new boolean[fields.length];
    broken = new Throwable[fields.length];
    for (int i = 0; i < fields.length; i++) {
      chunks[i] = null;
      decoded[i] = -1;
      if (generated[i] != null) {
        out[i] = generated[i].vector();
        continue;
      }
      ChunkVector cv = ChunkTypes.unsupportedReason(fields[i].dataType()) == null ? pinned(i)
          : null;
      if (cv != null) {
        chunks[i] = cv;
        out[i] = cv;
        continue;
      }
      decoded[i] = missing.size();
      missing.add(fields[i]);
      out[i] = new WrappedVector(fields[i].dataType());
      if (ChunkTypes.unsupportedReason(fields[i].dataType()) == null) {
        writers[i] = new ChunkWriter(fields[i].dataType(), blockRows);
      } else {
        count(metrics == null ? null : metrics.chunksUncacheable, 1);
      }
    }
    if (!missing.isEmpty()) {
      decoder = openDecoder(b, new StructType(missing.toArray(new StructField[0])));
    }
  }

  /** The cached chunk of a column of the current row group, pinned; null on a miss. */
  private ChunkVector pinned(int column) {
    Optional<Pin> p;
    byte[] key = key(column);
    try {
      p = cache.pin(key);
    } catch (RuntimeException e) {
      owner.warnFallback("a column chunk", e);
      return null;
    }
    if (p.isEmpty()) {
      owner.misses.incrementAndGet();
      return null;
    }
    Pin pin = p.get();
    ChunkVector v;
    try {
      long address = pin.contiguous() ? pin.address() : copyOut(pin);
      v = ChunkVector.open(fields[column].dataType(), address, pin.size());
      if (v.rows() != blockRows) {
        throw new IllegalStateException("cached chunk of " + v.rows()
            + " rows for a row group of " + blockRows);
      }
    } catch (RuntimeException | StackOverflowError e) {
      // an entry that does not describe this row group, or that fails its checks, is dropped
      // and decoded anew
      pin.close();
      owner.rejected.incrementAndGet();
      owner.warnFallback("an unreadable cached chunk", e);
      cache.evict(key);
      owner.misses.incrementAndGet();
      return null;
    }
    AccessTrace.access(key, pin.size());
    pins.add(pin);
    owner.hits.incrementAndGet();
    if (metrics != null) {
      (pin.tier() == 0 ? metrics.chunksFromTop : metrics.chunksFromLower).add(1);
      metrics.bytesFromCache.add(pin.size());
    }
    return v;
  }

  /** A chunk stored in several pieces, copied into one block of memory (the one copy allowed). */
  private long copyOut(Pin pin) {
    long size = pin.size();
    long at = Platform.allocateMemory(Math.max(1, size));
    blockMemory.add(() -> Platform.freeMemory(at));
    long pos = 0;
    for (ByteBuffer piece : pin.buffers()) {
      int n = piece.remaining();
      byte[] tmp = new byte[n];
      piece.get(tmp);
      Platform.copyMemory(tmp, Platform.BYTE_ARRAY_OFFSET, null, at + pos, n);
      pos += n;
    }
    return at;
  }

  /** Spark's reader over one row group, for the given columns only, every row. */
  private VectorizedParquetRecordReader openDecoder(BlockMetaData b, StructType columns)
      throws IOException {
    String json = columns.json();
    if (!json.equals(decoderColumns)) {
      // one copy of the configuration per split and set of columns, not per row group
      Configuration c = new Configuration(conf);
      c.set(ParquetReadSupport.SPARK_ROW_REQUESTED_SCHEMA(), json);
      c.set("org.apache.spark.sql.parquet.row.attributes", json);
      // every row of the row group: no predicate, no page skipping by column index
      c.unset(ParquetInputFormat.FILTER_PREDICATE);
      c.setBoolean(ParquetInputFormat.COLUMN_INDEX_FILTERING_ENABLED, false);
      decoderConf = c;
      decoderColumns = json;
    }
    Configuration c = decoderConf;
    ParquetMetadata one = new ParquetMetadata(footer.getFileMetaData(), List.of(b));
    Path path = file.toPath();
    VectorizedParquetRecordReader r = new VectorizedParquetRecordReader(
        convertTz == null ? null : ZoneId.of(convertTz),
        datetimeRebase.mode().toString(),
        datetimeRebase.timeZone(),
        int96Rebase.mode().toString(),
        int96Rebase.timeZone(),
        true,
        s.batchSize);
    try {
      TaskAttemptContextImpl ctx = new TaskAttemptContextImpl(c,
          new TaskAttemptID(new TaskID(new JobID(), TaskType.MAP, 0), 0));
      ParquetReaderShims.initDecoder(r,
          new FileSplit(path, b.getStartingPos(), b.getCompressedSize(), new String[0]), ctx,
          input.file(), input.stream(), one);
      r.initBatch(new StructType(), InternalRow.empty());
      return r;
    } catch (InterruptedException e) {
      r.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted opening " + path, e);
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
  }

  /** Adds what was decoded of the row group to the cache; releases its pins and decoder. */
  private void finishBlock() {
    settleAppends();
    if (writers != null && rowInBlock == blockRows) {
      for (int i = 0; i < fields.length; i++) {
        if (writers[i] != null && writers[i].rows() == blockRows) {
          add(i, writers[i]);
        }
      }
    }
    releaseBlock();
  }

  private void add(int column, ChunkWriter w) {
    try {
      ChunkLayout l = w.finish();
      ChunkKey k = chunkKey(column);
      byte[] key = k.encode();
      AccessTrace.access(key, l.totalBytes());
      if (cache.putGather(key, l.addresses(), l.lengths())) {
        owner.added.incrementAndGet();
        owner.inventory().chunkAdded(k);
        if (metrics != null) {
          metrics.chunksAdded.add(1);
          metrics.bytesAdded.add(l.totalBytes());
        }
      }
    } catch (CacheFullException e) {
      owner.notAdded.incrementAndGet();
    } catch (RuntimeException e) {
      owner.notAdded.incrementAndGet();
      owner.warnFallback("adding a column chunk", e);
    }
  }

  private void releaseBlock() {
    // no append runs once this returns: the batches and chunks may go
    for (SerialLane l : lanes) {
      l.discardAll();
    }
    builders.buildingBytes.addAndGet(-building.getAndSet(0));
    if (writers != null) {
      for (ChunkWriter w : writers) {
        if (w != null) {
          w.close();
        }
      }
      writers = null;
    }
    if (decoder != null) {
      try {
        decoder.close();
      } catch (IOException e) {
        owner.warnFallback("closing a decoder", e);
      }
      decoder = null;
    }
    for (Pin p : pins) {
      p.close();
    }
    pins.clear();
    for (AutoCloseable m : blockMemory) {
      try {
        m.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    blockMemory.clear();
    block = null;
  }

  private static void count(org.apache.spark.sql.execution.metric.SQLMetric m, long n) {
    if (m != null) {
      m.add(n);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      releaseBlock();
      for (ConcurrentLinkedQueue<StagedVector> kept : spare) {
        for (StagedVector v = kept.poll(); v != null; v = kept.poll()) {
          v.close();
        }
      }
      for (ConstantColumnVector v : partitionVectors) {
        if (v != null) {
          v.close();
        }
      }
      for (GeneratedColumn.Values g : generated) {
        if (g != null) {
          g.close();
        }
      }
      if (input != null) {
        try {
          input.close();
        } catch (IOException e) {
          owner.warnFallback("closing " + id.path(), e);
        }
      }
    }
  }
}
