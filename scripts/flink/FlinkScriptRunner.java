import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.gateway.SqlGateway;
import org.apache.flink.table.gateway.service.context.DefaultContext;
import org.apache.flink.table.gateway.service.session.SessionManager;

/**
 * Starts an Apache Flink MiniCluster in this JVM, with its REST API and Web UI on a chosen loopback
 * port, and runs SQL scripts on it the way the SQL client would: SET, CREATE and other statements
 * in order, each INSERT as a job of its own, each EXECUTE STATEMENT SET block as one job. Each
 * script has a catalog of its own (scripts of a pipeline declare the same table names), and all
 * jobs share the one cluster. The scripts arrive with their ${NAME} placeholders already replaced
 * (scripts/flink/run.ts does it as `rivulet sql` does). Runs until killed.
 *
 * With a GATEWAY_PORT other than 0, a SQL Gateway (REST endpoint, API v1 and v2) runs beside the
 * cluster on that loopback port and submits its sessions' jobs to it, as a gateway started with
 * `sql-gateway.sh` beside a session cluster does.
 *
 * Usage: FlinkScriptRunner PORT SLOTS CHECKPOINT_MS GATEWAY_PORT SCRIPT...
 * Prints "READY <rest url>", "GATEWAY <gateway url>" when one runs, then per job
 * "JOB <job id> <name>", then "SUBMITTED".
 */
public final class FlinkScriptRunner {
  static final Pattern SET =
      Pattern.compile("(?is)^SET\\s+'([^']*)'\\s*=\\s*'((?:[^']|'')*)'$");
  private static final Pattern STATEMENT_SET =
      Pattern.compile("(?is)^(?:EXECUTE\\s+)?STATEMENT\\s+SET\\s+BEGIN\\b(.*)\\bEND$");
  static final Pattern INSERT = Pattern.compile("(?is)^INSERT\\s+.*");

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int slots = Integer.parseInt(args[1]);
    long checkpointMs = Long.parseLong(args[2]);
    int gatewayPort = Integer.parseInt(args[3]);

    Configuration cluster = new Configuration();
    cluster.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    cluster.set(RestOptions.ADDRESS, "127.0.0.1");
    cluster.set(RestOptions.PORT, port);
    cluster.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
    MiniCluster miniCluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(cluster)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    miniCluster.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    miniCluster.close();
                  } catch (Exception ignored) {
                    // the JVM is going anyway
                  }
                }));
    int restPort = miniCluster.getRestAddress().get().getPort();
    System.out.println("READY http://127.0.0.1:" + restPort);
    System.out.flush();
    if (gatewayPort != 0) startGateway(restPort, gatewayPort, checkpointMs);

    for (int i = 4; i < args.length; i++) {
      Path script = Path.of(args[i]);
      runScript(script, restPort, checkpointMs);
    }
    System.out.println("SUBMITTED");
    System.out.flush();
    Thread.currentThread().join();
  }

  /** A SQL Gateway whose sessions submit to this cluster, with the runner's checkpoint interval as their default. */
  private static void startGateway(int restPort, int gatewayPort, long checkpointMs) throws Exception {
    Configuration sessions = new Configuration();
    sessions.setString("execution.target", "remote");
    sessions.setString("rest.address", "127.0.0.1");
    sessions.setString("rest.port", String.valueOf(restPort));
    if (checkpointMs > 0) sessions.setString("execution.checkpointing.interval", checkpointMs + " ms");
    Configuration endpoint = new Configuration();
    endpoint.setString("sql-gateway.endpoint.type", "rest");
    endpoint.setString("sql-gateway.endpoint.rest.address", "127.0.0.1");
    endpoint.setString("sql-gateway.endpoint.rest.bind-address", "127.0.0.1");
    endpoint.setString("sql-gateway.endpoint.rest.port", String.valueOf(gatewayPort));
    SqlGateway gateway =
        new SqlGateway(endpoint, SessionManager.create(new DefaultContext(sessions, List.of())));
    gateway.start();
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::stop));
    System.out.println("GATEWAY http://127.0.0.1:" + gatewayPort);
    System.out.flush();
  }

  private static void runScript(Path script, int restPort, long checkpointMs) throws Exception {
    String name = script.getFileName().toString().replaceFirst("\\.sql$", "");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort, new Configuration());
    if (checkpointMs > 0) env.enableCheckpointing(checkpointMs);
    StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env);
    int job = 0;
    for (String statement : split(Files.readString(script, StandardCharsets.UTF_8))) {
      Matcher set = SET.matcher(statement);
      Matcher statementSet = STATEMENT_SET.matcher(statement);
      try {
        if (set.matches()) {
          Configuration option = new Configuration();
          option.setString(set.group(1), set.group(2).replace("''", "'"));
          // Execution options (checkpointing, parallelism) live on the environment; the rest on the table config.
          env.configure(option, FlinkScriptRunner.class.getClassLoader());
          tableEnv.getConfig().getConfiguration().setString(set.group(1), set.group(2).replace("''", "'"));
        } else if (statementSet.matches()) {
          tableEnv.getConfig().getConfiguration().setString("pipeline.name", name + "#" + ++job);
          StatementSet inserts = tableEnv.createStatementSet();
          for (String insert : split(statementSet.group(1))) inserts.addInsertSql(insert);
          report(inserts.execute(), name + "#" + job);
        } else if (INSERT.matcher(statement).matches()) {
          tableEnv.getConfig().getConfiguration().setString("pipeline.name", name + "#" + ++job);
          report(tableEnv.executeSql(statement), name + "#" + job);
        } else {
          tableEnv.executeSql(statement);
        }
      } catch (Exception error) {
        System.out.println("FAILED " + name + ": " + error.getMessage().replace('\n', ' '));
        System.out.flush();
        throw error;
      }
    }
  }

  private static void report(TableResult result, String name) {
    JobClient client = result.getJobClient().orElseThrow();
    System.out.println("JOB " + client.getJobID() + " " + name);
    System.out.flush();
  }

  /** An error's message and its causes', which is where Flink says what it refused, on one line. */
  static String message(Throwable error) {
    Throwable cause = error;
    StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
      if (cause.getMessage() != null && !text.toString().contains(cause.getMessage()))
        text.append(" | ").append(cause.getMessage());
    }
    return text.toString().replace('\n', ' ');
  }

  /** The statements of a script: split at ';' outside quotes and comments, comments dropped but not hints ("/*+"). */
  static List<String> split(String text) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int depth = 0; // inside BEGIN … END of a statement set, ';' does not end the statement
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '-' && text.startsWith("--", i)) {
        int end = text.indexOf('\n', i);
        i = end < 0 ? text.length() : end;
        current.append('\n');
      } else if (c == '/' && text.startsWith("/*", i)) {
        // A query hint (/*+ … */) stays: it is part of the statement. Other comments go.
        int end = text.indexOf("*/", i + 2);
        int next = end < 0 ? text.length() : end + 2;
        current.append(text.startsWith("/*+", i) ? text.substring(i, next) : " ");
        i = next - 1;
      } else if (c == '\'' || c == '`' || c == '"') {
        int end = i + 1;
        while (end < text.length()) {
          if (text.charAt(end) == c) {
            if (end + 1 < text.length() && text.charAt(end + 1) == c) end += 2;
            else break;
          } else end++;
        }
        current.append(text, i, Math.min(end + 1, text.length()));
        i = end;
      } else if (c == ';' && depth == 0) {
        add(statements, current);
        current.setLength(0);
      } else if (Character.isLetter(c) && (i == 0 || !isWordChar(text.charAt(i - 1)))) {
        String word = word(text, i);
        String upper = word.toUpperCase(Locale.ROOT);
        if (upper.equals("BEGIN")
            && current.toString().toUpperCase(Locale.ROOT).matches("(?s).*STATEMENT\\s+SET\\s*")) depth++;
        // END of a CASE stays inside; the END of the block is the last word of the statement.
        else if (upper.equals("END") && depth > 0 && text.substring(i + word.length()).matches("(?s)\\s*(;.*)?")) depth--;
        current.append(word);
        i += word.length() - 1;
      } else {
        current.append(c);
      }
    }
    add(statements, current);
    return statements;
  }

  private static String word(String text, int at) {
    int end = at;
    while (end < text.length() && isWordChar(text.charAt(end))) end++;
    return text.substring(at, end);
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  private static void add(List<String> statements, StringBuilder current) {
    String statement = current.toString().trim();
    if (!statement.isEmpty()) statements.add(statement);
  }
}
