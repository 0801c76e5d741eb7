import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/**
 * The values of the operator-fixture harness (FixtureConnector): a fixture's SQL literals ('text',
 * 12.50, 2025-07-11 10:00:00, NULL, ARRAY['a'], MAP['k', 1], MULTISET['a', 'a']) read as CAST(text AS column type) into
 * Flink's external values, and output values written back as Flink 1.18 casts them to STRING,
 * strings quoted.
 */
final class FixtureValues {
  private FixtureValues() {}

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
      case MULTISET:
        {
          // MULTISET['a', 'a', 'b']: each distinct element with its count, in order of first occurrence.
          DataType element = ((CollectionDataType) type).getElementDataType();
          Map<Object, Integer> result = new LinkedHashMap<>();
          for (String item : split(inside(token, "MULTISET["))) result.merge(value(item, element), 1, Integer::sum);
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
  static List<String> split(String text) {
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
