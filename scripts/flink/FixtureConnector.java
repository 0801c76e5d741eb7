import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
import org.apache.flink.table.types.CollectionDataType;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.FieldsDataType;
import org.apache.flink.table.types.KeyValueDataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

/**
 * The `fixture` connector of the operator-fixture harness (FixtureRunner): a table whose rows come
 * from the case being run, batch by batch, with the changelog of the connector it stands for
 * ('mode' = 'cdc': every kind, as postgres-cdc; 'upsert': +I/+U/-D by key, as upsert-kafka, which
 * the planner normalizes; 'append': inserts only, as kafka). As a sink it collects what reaches it.
 *
 * The source takes the table's WATERMARK by push-down and emits, after each batch, the largest
 * watermark so far, as a Kafka source with per-partition watermarks does once a batch is read. It
 * never finishes (that would send a final MAX watermark and close every window); the runner
 * cancels the job after the last batch.
 *
 * Fixture values arrive as the SQL literals the fixture writes ('text', 12.50, 2025-07-11 10:00:00,
 * NULL, ARRAY['a'], MAP['k', 1]) and are read as CAST(text AS column type); output values are
 * written back as Flink 1.18 casts them to STRING, strings quoted.
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
            for (int i = 0; i < columns.size(); i++) row.setField(i, value(change.get(i + 1), columns.get(i)));
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
        text.append(format(row.getField(i), types.get(i), true));
      }
      OUTPUT.add(text.append(')').toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Values

  /** A fixture literal as the column's external value: CAST(text AS type). */
  static Object value(String literal, DataType type) {
    String token = literal.trim();
    if (token.equalsIgnoreCase("NULL") || token.toUpperCase().startsWith("CAST(NULL ")) return null;
    LogicalType logical = type.getLogicalType();
    switch (logical.getTypeRoot()) {
      case ARRAY:
        {
          List<String> items = split(inside(token, "ARRAY["));
          DataType element = ((CollectionDataType) type).getElementDataType();
          Object array = Array.newInstance(element.getConversionClass(), items.size());
          for (int i = 0; i < items.size(); i++) Array.set(array, i, value(items.get(i), element));
          return array;
        }
      case MAP:
        {
          List<String> items = split(inside(token, "MAP["));
          KeyValueDataType map = (KeyValueDataType) type;
          Map<Object, Object> result = new LinkedHashMap<>();
          for (int i = 0; i + 1 < items.size(); i += 2)
            result.put(value(items.get(i), map.getKeyDataType()), value(items.get(i + 1), map.getValueDataType()));
          return result;
        }
      case ROW:
        {
          List<String> items = split(inside(token, "ROW("));
          List<DataType> fields = ((FieldsDataType) type).getChildren();
          Row row = new Row(fields.size());
          for (int i = 0; i < fields.size(); i++) row.setField(i, value(items.get(i), fields.get(i)));
          return row;
        }
      default:
        String text = token.startsWith("'") && token.endsWith("'") && token.length() >= 2
            ? token.substring(1, token.length() - 1).replace("''", "'")
            : token;
        return scalar(text, logical);
    }
  }

  private static Object scalar(String text, LogicalType type) {
    String trimmed = text.trim();
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return text;
      case BOOLEAN:
        return Boolean.valueOf(trimmed);
      case TINYINT:
        return Byte.valueOf(trimmed);
      case SMALLINT:
        return Short.valueOf(trimmed);
      case INTEGER:
        return Integer.valueOf(trimmed);
      case BIGINT:
        return Long.valueOf(trimmed);
      case DECIMAL:
        return new BigDecimal(trimmed).setScale(((DecimalType) type).getScale(), RoundingMode.HALF_UP);
      case FLOAT:
        return Float.valueOf(trimmed);
      case DOUBLE:
        return Double.valueOf(trimmed);
      case DATE:
        return LocalDate.parse(trimmed);
      case TIME_WITHOUT_TIME_ZONE:
        return LocalTime.parse(trimmed);
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return localDateTime(trimmed);
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return localDateTime(trimmed).toInstant(ZoneOffset.UTC);
      default:
        throw new UnsupportedOperationException("the fixture connector cannot read a " + type + " value: " + text);
    }
  }

  private static LocalDateTime localDateTime(String text) {
    return text.length() == 10 ? LocalDate.parse(text).atStartOfDay() : LocalDateTime.parse(text.replace(' ', 'T'));
  }

  private static String inside(String token, String open) {
    if (!token.toUpperCase().startsWith(open)) throw new IllegalArgumentException("expected " + open + "…], got " + token);
    return token.substring(open.length(), token.length() - 1);
  }

  /** Splits at the commas outside quotes and brackets. */
  private static List<String> split(String text) {
    List<String> items = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') quoted = !quoted;
      if (!quoted && (c == '[' || c == '(')) depth++;
      if (!quoted && (c == ']' || c == ')')) depth--;
      if (c == ',' && !quoted && depth == 0) {
        items.add(current.toString().trim());
        current.setLength(0);
      } else current.append(c);
    }
    if (!current.toString().trim().isEmpty()) items.add(current.toString().trim());
    return items;
  }

  /** An external value as Flink 1.18 CASTs it to STRING; strings at the top level quoted as SQL literals. */
  static String format(Object value, LogicalType type, boolean top) {
    if (value == null) return "NULL";
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return top ? "'" + value.toString().replace("'", "''") + "'" : value.toString();
      case BOOLEAN:
        return ((Boolean) value) ? "TRUE" : "FALSE";
      case DECIMAL:
        return ((BigDecimal) value).toPlainString();
      case TIME_WITHOUT_TIME_ZONE:
        {
          LocalTime time = (LocalTime) value;
          return String.format("%02d:%02d:%02d", time.getHour(), time.getMinute(), time.getSecond())
              + fraction(time.getNano(), ((TimeType) type).getPrecision());
        }
      case TIMESTAMP_WITHOUT_TIME_ZONE:
        return timestamp((LocalDateTime) value, ((TimestampType) type).getPrecision());
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return timestamp(
            LocalDateTime.ofInstant((Instant) value, ZoneOffset.UTC), ((LocalZonedTimestampType) type).getPrecision());
      case ARRAY:
        {
          LogicalType element = ((ArrayType) type).getElementType();
          StringBuilder text = new StringBuilder("[");
          for (int i = 0; i < Array.getLength(value); i++)
            text.append(i > 0 ? ", " : "").append(format(Array.get(value, i), element, false));
          return text.append(']').toString();
        }
      case MAP:
        {
          MapType map = (MapType) type;
          StringBuilder text = new StringBuilder("{");
          for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet())
            text.append(text.length() > 1 ? ", " : "")
                .append(format(entry.getKey(), map.getKeyType(), false))
                .append('=')
                .append(format(entry.getValue(), map.getValueType(), false));
          return text.append('}').toString();
        }
      case ROW:
        {
          List<LogicalType> fields = ((RowType) type).getChildren();
          Row row = (Row) value;
          StringBuilder text = new StringBuilder("(");
          for (int i = 0; i < fields.size(); i++)
            text.append(i > 0 ? ", " : "").append(format(row.getField(i), fields.get(i), false));
          return text.append(')').toString();
        }
      default:
        return value.toString();
    }
  }

  private static String timestamp(LocalDateTime value, int precision) {
    return value.toLocalDate()
        + " "
        + String.format("%02d:%02d:%02d", value.getHour(), value.getMinute(), value.getSecond())
        + fraction(value.getNano(), precision);
  }

  /** Flink's DateTimeUtils: the nine nanosecond digits, trailing zeros dropped while more than `precision` remain. */
  private static String fraction(int nanos, int precision) {
    String digits = String.format("%09d", nanos);
    int end = 9;
    while (end > precision && digits.charAt(end - 1) == '0') end--;
    return end == 0 ? "" : "." + digits.substring(0, end);
  }
}
