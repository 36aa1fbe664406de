// SPDX-License-Identifier: Apache-2.0
// CachedFileReader -- reads one split of a Parquet file from cached chunks, decoding what is missing
package io.cellar.spark.read;

import io.cellar.scheduler.FileId;
import io.cellar.spark.chunk.ChunkLayout;
import io.cellar.spark.chunk.ChunkTypes;
import io.cellar.spark.chunk.ChunkVector;
import io.cellar.spark.chunk.ChunkWriter;
import io.cellar.spark.chunk.WrappedVector;
import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.exec.AccessTrace;
import io.cellar.spark.exec.BuildHelpers;
import io.cellar.spark.exec.ExecutorCache;
import io.cellar.spark.exec.FooterCache;
import io.cellar.spark.exec.SharedWork;
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
 * <p>The appends of a decoded batch to the chunks being built are offered to the executor's
 * {@link BuildHelpers}, which run them while the plan above consumes the batch; before the
 * decoder overwrites the batch, the reader runs what no helper took and waits for what one is
 * running (one column of one batch at most per helper).
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
  /** The appends of the last batch, shared with the helpers; null when none is pending. */
  private SharedWork appending;
  /** Per part of {@link #appending}: its column, and the batch's vector and rows. */
  private final int[] appendColumn;
  private final WritableColumnVector[] appendVector;
  private int appendRows;
  /** Native bytes of this reader's chunks being built, as last added to the executor's sum. */
  private long building;
  private final BuildHelpers builders;
  /** The decoders' configuration, and the columns (JSON) it asks for. */
  private Configuration decoderConf;
  private String decoderColumns;
  private boolean closed;

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
    this.appendColumn = new int[fields.length];
    this.appendVector = new WritableColumnVector[fields.length];
    this.builders = owner.builders();
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
      settleAppends();
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
      int parts = 0;
      for (int i = 0; i < fields.length; i++) {
        if (decoded[i] < 0) {
          continue;
        }
        WritableColumnVector v = (WritableColumnVector) b.column(decoded[i]);
        ((WrappedVector) out[i]).wrap(v);
        if (writers[i] != null) {
          appendColumn[parts] = i;
          appendVector[parts++] = v;
        }
      }
      if (parts > 0) {
        appendRows = n;
        appending = new SharedWork(parts, this::appendPart, builders.counters());
        builders.offer(appending);
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

  /** One part of {@link #appending}: a column's batch appended to its chunk; on any thread. */
  private void appendPart(int part) {
    writers[appendColumn[part]].append(appendVector[part], appendRows);
  }

  /**
   * Finishes the last batch's appends (see {@link SharedWork#finish()}), then drops the chunks
   * that failed or grew too large. Called before the decoder overwrites the batch.
   */
  private void settleAppends() {
    SharedWork w = appending;
    if (w == null) {
      return;
    }
    appending = null;
    w.finish();
    long held = 0;
    for (int p = 0; p < w.parts(); p++) {
      int i = appendColumn[p];
      appendVector[p] = null;
      Throwable t = w.failure(p);
      if (t instanceof Error e) {
        throw e;
      }
      if (t != null) {
        // the batch itself is Spark's and still served; only its chunk is not cached
        owner.warnFallback("building a column chunk", t);
        dropWriter(i);
      } else if (writers[i].bytes() > s.chunkMaxBytes) {
        dropWriter(i);
      }
    }
    for (ChunkWriter cw : writers) {
      held += cw == null ? 0 : cw.bytes();
    }
    builders.buildingBytes.addAndGet(held - building);
    building = held;
  }

  /** Gives up the last batch's appends: the row group is left before its end. */
  private void abandonAppends() {
    SharedWork w = appending;
    if (w != null) {
      appending = null;
      w.abandon();
      Arrays.fill(appendVector, null);
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
        writers[i] = new ChunkWriter(fields[i].dataType());
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
    abandonAppends();
    builders.buildingBytes.addAndGet(-building);
    building = 0;
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
