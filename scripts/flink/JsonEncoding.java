import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.JsonFormatOptions;
import org.apache.flink.formats.json.JsonRowDataSerializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.types.Row;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * Records what Flink's own `json` format writes for rows of collections, for the test that holds
 * Rivulet's json format to it (scripts/flink/record.ts runs it). Reads a data file of
 * sections, each
 *
 *   schema: ROW<id BIGINT, tags ARRAY<STRING>, ...>
 *   options: map-null-key.mode=LITERAL, map-null-key.literal=null    (optional, json.* options)
 *   row: 1, ARRAY['a', NULL], ...                                    (FixtureValues literals)
 *
 * and writes the file back with a `json: <bytes as UTF-8>` line (or `error: <message>` when Flink
 * refuses the schema or the row) after each row, and the `# recorded:` line naming Flink's version.
 * Rows are serialized by flink-json's JsonRowDataSerializationSchema, as a json table sink does.
 *
 * Usage: JsonEncoding FILE
 */
public final class JsonEncoding {
  private static final String RECORDED = "# recorded:";

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    List<String> out = new ArrayList<>();
    RowType rowType = null;
    Map<String, String> options = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("json:") || line.startsWith("error:")) continue;
      if (line.startsWith(RECORDED)) {
        out.add(RECORDED + " Apache Flink 1.18.1 (flink-json JsonRowDataSerializationSchema), " + LocalDate.now());
        continue;
      }
      out.add(line);
      if (line.startsWith("schema:")) {
        rowType = (RowType) LogicalTypeParser.parse(rest(line), JsonEncoding.class.getClassLoader());
        options.clear();
      } else if (line.startsWith("options:")) {
        for (String option : rest(line).split(",")) {
          String[] pair = option.split("=", 2);
          options.put(pair[0].trim(), pair.length > 1 ? pair[1].trim() : "");
        }
      } else if (line.startsWith("row:")) {
        if (rowType == null) throw new IllegalArgumentException("a row: before any schema: in " + file);
        out.add(encode(rowType, options, rest(line)));
      }
    }
    Files.write(file, out, StandardCharsets.UTF_8);
  }

  private static String rest(String line) {
    return line.substring(line.indexOf(':') + 1).trim();
  }

  /** The `json:` line Flink's format writes for the row, or an `error:` line. */
  private static String encode(RowType rowType, Map<String, String> options, String literals) {
    try {
      JsonRowDataSerializationSchema schema =
          new JsonRowDataSerializationSchema(
              rowType,
              "ISO-8601".equals(options.get("timestamp-format.standard")) ? TimestampFormat.ISO_8601 : TimestampFormat.SQL,
              JsonFormatOptions.MapNullKeyMode.valueOf(options.getOrDefault("map-null-key.mode", "FAIL")),
              options.getOrDefault("map-null-key.literal", "null"),
              Boolean.parseBoolean(options.getOrDefault("encode.decimal-as-plain-number", "false")));
      schema.open(CONTEXT);
      DataType dataType = TypeConversions.fromLogicalToDataType(rowType);
      List<DataType> fields = dataType.getChildren();
      List<String> values = FixtureValues.split(literals);
      if (values.size() != fields.size())
        throw new IllegalArgumentException(values.size() + " values for " + fields.size() + " fields: " + literals);
      Row row = new Row(fields.size());
      for (int i = 0; i < fields.size(); i++) row.setField(i, FixtureValues.value(values.get(i), fields.get(i)));
      DataStructureConverter<Object, Object> converter = DataStructureConverters.getConverter(dataType);
      converter.open(JsonEncoding.class.getClassLoader());
      byte[] bytes = schema.serialize((RowData) converter.toInternalOrNull(row));
      return "json: " + new String(bytes, StandardCharsets.UTF_8);
    } catch (Exception error) {
      Throwable cause = error;
      while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
      return "error: " + String.valueOf(cause.getMessage()).replace('\n', ' ');
    }
  }

  private static final SerializationSchema.InitializationContext CONTEXT =
      new SerializationSchema.InitializationContext() {
        @Override
        public MetricGroup getMetricGroup() {
          return new UnregisteredMetricsGroup();
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
          return SimpleUserCodeClassLoader.create(JsonEncoding.class.getClassLoader());
        }
      };
}
