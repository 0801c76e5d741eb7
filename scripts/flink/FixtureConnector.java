import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.streaming.api.functions.source.RichSourceFunction;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.RuntimeConverter;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkFunctionProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceFunctionProvider;
import org.apache.flink.table.connector.source.abilities.SupportsWatermarkPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

/**
 * The `fixture` connector of the operator-fixture harness (FixtureRunner): a table whose rows come
 * from the case being run, batch by batch, with the changelog of the connector it stands for
 * ('mode' = 'cdc': every kind, as postgres-cdc; 'upsert': +I/+U/-D by key, as upsert-kafka, which
 * the planner normalizes; 'append': inserts only, as kafka). As a sink it collects what reaches it.
 *
 * The source takes the table's WATERMARK by push-down and, after each batch, emits its generator's
 * watermark (Flink's keeps the last row's) when it is larger than the last one emitted, as a Kafka
 * source with per-partition watermarks does at its periodic emission once a batch is read. It
 * never finishes (that would send a final MAX watermark and close every window); the runner
 * cancels the job after the last batch.
 * Values are read and written by FixtureValues.
 */
public final class FixtureConnector implements DynamicTableSourceFactory, DynamicTableSinkFactory {
  private static final ConfigOption<String> MODE = ConfigOptions.key("mode").stringType().noDefaultValue();

  /** Each running source instance's queue of batches, by table name. */
  static final Map<String, List<BlockingQueue<List<List<String>>>>> FEEDS = new ConcurrentHashMap<>();
  /** One permit per batch a source instance has emitted, its watermark included. */
  static final Semaphore EMITTED = new Semaphore(0);
  /** The changes that reached the output, as text. */
  static final List<String> OUTPUT = Collections.synchronizedList(new ArrayList<>());
  /** The primary key (column indexes) of an upsert sink the job writes to, which its rows upsert by. */
  static volatile int[] sinkKey;

  static void reset() {
    FEEDS.clear();
    EMITTED.drainPermits();
    OUTPUT.clear();
    sinkKey = null;
  }

  @Override
  public String factoryIdentifier() {
    return "fixture";
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(MODE);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of();
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validate();
    return new Source(
        context.getObjectIdentifier().getObjectName(),
        helper.getOptions().get(MODE),
        context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType(),
        null);
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validate();
    String mode = helper.getOptions().get(MODE);
    if (mode.equals("upsert")) sinkKey = context.getCatalogTable().getResolvedSchema().getPrimaryKeyIndexes();
    return new Sink(mode, context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType());
  }

  static ChangelogMode changelogMode(String mode) {
    switch (mode) {
      case "cdc":
        return ChangelogMode.all();
      case "upsert":
        return ChangelogMode.upsert();
      case "append":
        return ChangelogMode.insertOnly();
      default:
        throw new IllegalArgumentException("'mode' must be 'cdc', 'upsert' or 'append', got '" + mode + "'");
    }
  }

  static final class Source implements ScanTableSource, SupportsWatermarkPushDown {
    private final String table;
    private final String mode;
    private final DataType rowType;
    private WatermarkStrategy<RowData> watermarks;

    Source(String table, String mode, DataType rowType, WatermarkStrategy<RowData> watermarks) {
      this.table = table;
      this.mode = mode;
      this.rowType = rowType;
      this.watermarks = watermarks;
    }

    @Override
    public ChangelogMode getChangelogMode() {
      return changelogMode(mode);
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
      return SourceFunctionProvider.of(
          new Feed(table, rowType, context.createDataStructureConverter(rowType), watermarks), false);
    }

    @Override
    public void applyWatermark(WatermarkStrategy<RowData> strategy) {
      watermarks = strategy;
    }

    @Override
    public DynamicTableSource copy() {
      return new Source(table, mode, rowType, watermarks);
    }

    @Override
    public String asSummaryString() {
      return "fixture(" + mode + ")";
    }
  }

  /** The source function: emits the batches the runner queues for its table, until cancelled. */
  static final class Feed extends RichSourceFunction<RowData> {
    final String table;
    private final DataType rowType;
    private final DynamicTableSource.DataStructureConverter converter;
    private final WatermarkStrategy<RowData> watermarks;
    private volatile boolean running = true;

    Feed(
        String table,
        DataType rowType,
        DynamicTableSource.DataStructureConverter converter,
        WatermarkStrategy<RowData> watermarks) {
      this.table = table;
      this.rowType = rowType;
      this.converter = converter;
      this.watermarks = watermarks;
    }

    @Override
    public void run(SourceContext<RowData> context) throws Exception {
      converter.open(RuntimeConverter.Context.create(getClass().getClassLoader()));
      WatermarkGenerator<RowData> generator =
          watermarks == null ? null : watermarks.createWatermarkGenerator(UnregisteredMetricsGroup::new);
      long[] emitted = {Long.MIN_VALUE};
      WatermarkOutput output =
          new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
              if (watermark.getTimestamp() <= emitted[0]) return;
              emitted[0] = watermark.getTimestamp();
              context.emitWatermark(new org.apache.flink.streaming.api.watermark.Watermark(emitted[0]));
            }

            @Override
            public void markIdle() {}

            @Override
            public void markActive() {}
          };
      BlockingQueue<List<List<String>>> queue = new LinkedBlockingQueue<>();
      FEEDS.computeIfAbsent(table, t -> new CopyOnWriteArrayList<>()).add(queue);
      List<DataType> columns = rowType.getChildren();
      while (running) {
        List<List<String>> batch = queue.poll(20, TimeUnit.MILLISECONDS);
        if (batch == null) continue;
        synchronized (context.getCheckpointLock()) {
          for (List<String> change : batch) {
            Row row = Row.withPositions(kind(change.get(0)), columns.size());
            for (int i = 0; i < columns.size(); i++) row.setField(i, FixtureValues.value(change.get(i + 1), columns.get(i)));
            RowData data = (RowData) converter.toInternal(row);
            context.collect(data);
            if (generator != null) generator.onEvent(data, Long.MIN_VALUE, output);
          }
          if (generator != null) generator.onPeriodicEmit(output);
        }
        EMITTED.release();
      }
    }

    @Override
    public void cancel() {
      running = false;
    }
  }

  private static RowKind kind(String text) {
    for (RowKind kind : RowKind.values()) if (kind.shortString().equals(text)) return kind;
    throw new IllegalArgumentException("unknown change kind " + text);
  }

  static final class Sink implements DynamicTableSink {
    private final String mode;
    private final DataType rowType;

    Sink(String mode, DataType rowType) {
      this.mode = mode;
      this.rowType = rowType;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requested) {
      return changelogMode(mode);
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
      return SinkFunctionProvider.of(new Collect(rowType, context.createDataStructureConverter(rowType)));
    }

    @Override
    public DynamicTableSink copy() {
      return new Sink(mode, rowType);
    }

    @Override
    public String asSummaryString() {
      return "fixture(" + mode + ")";
    }
  }

  /** Writes each change that reaches the sink to OUTPUT. */
  static final class Collect implements SinkFunction<RowData> {
    private final DataType rowType;
    private final DynamicTableSink.DataStructureConverter converter;
    private transient boolean opened;

    Collect(DataType rowType, DynamicTableSink.DataStructureConverter converter) {
      this.rowType = rowType;
      this.converter = converter;
    }

    @Override
    public void invoke(RowData value, SinkFunction.Context context) {
      if (!opened) {
        converter.open(RuntimeConverter.Context.create(getClass().getClassLoader()));
        opened = true;
      }
      Row row = (Row) converter.toExternal(value);
      List<LogicalType> types = rowType.getLogicalType().getChildren();
      StringBuilder text = new StringBuilder(row.getKind().shortString()).append('(');
      for (int i = 0; i < row.getArity(); i++) {
        if (i > 0) text.append(", ");
        text.append(FixtureValues.format(row.getField(i), types.get(i), true));
      }
      OUTPUT.add(text.append(')').toString());
    }
  }
}
