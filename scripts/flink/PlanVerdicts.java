import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * Records whether Flink's planner accepts each query of a data file, for tests that hold Rivulet's
 * planner to the same verdicts without Flink (scripts/flink/plan-verdicts.ts runs it). The file:
 *
 *   setup:                 indented statements (CREATE TABLE ...), run once
 *   case: what it shows
 *     one indented statement, planned with EXPLAIN
 *   flink: accepted [retry=[...]]  or  flink: refused: <Flink's message>      (written here)
 *
 * Any other line is kept as it is. An accepted plan's lookup-join retry (`retry=[...]`, from the
 * LOOKUP hint) is recorded beside the verdict. Planning needs no cluster and connects to nothing.
 *
 * Usage: PlanVerdicts FILE
 */
public final class PlanVerdicts {
  private static final String RECORDED = "# recorded:";
  private static final Pattern RETRY = Pattern.compile("retry=\\[[^\\]]*\\]");

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("flink:")) continue;
      if (line.startsWith(RECORDED)) {
        out.add(RECORDED + " Apache Flink 1.18.1 (TableEnvironment.explainSql), " + LocalDate.now());
        continue;
      }
      out.add(line);
      if (!line.startsWith("setup:") && !line.startsWith("case:")) continue;
      StringBuilder text = new StringBuilder();
      while (i + 1 < lines.size() && lines.get(i + 1).startsWith("  ")) {
        out.add(lines.get(++i));
        text.append(lines.get(i).substring(2)).append('\n');
      }
      if (line.startsWith("setup:")) {
        for (String statement : FlinkScriptRunner.split(text.toString())) tableEnv.executeSql(statement);
      } else {
        out.add(verdict(tableEnv, FlinkScriptRunner.split(text.toString()).get(0)));
      }
    }
    Files.write(file, out, StandardCharsets.UTF_8);
  }

  private static String verdict(TableEnvironment tableEnv, String statement) {
    try {
      String plan = tableEnv.explainSql(statement);
      Matcher retry = RETRY.matcher(plan);
      return "flink: accepted" + (retry.find() ? " " + retry.group() : "");
    } catch (Exception | AssertionError error) {
      // Calcite's hint checks fail with an AssertionError (Litmus.THROW).
      return "flink: refused: " + FlinkScriptRunner.message(error).replaceAll("\\s+", " ").trim();
    }
  }
}
