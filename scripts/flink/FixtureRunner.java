import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.internal.TableEnvironmentImpl;
import org.apache.flink.table.delegation.InternalPlan;
import org.apache.flink.table.delegation.Planner;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.runtime.tasks.FixtureClock;
import org.apache.flink.streaming.api.operators.SimpleUdfStreamOperatorFactory;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Expressions;
import org.apache.flink.table.expressions.Expression;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Runs operator-fixture cases (test/exec/fixtures/*.txt) on an Apache Flink MiniCluster in this
 * JVM, one job per case, for scripts/flink/fixtures.ts. Reads one case per line of standard input
 * as JSON, {"script": SQL, "start": epoch millis, "steps": [{"table": name, "rows": [["+I", literal,
 * …], …]} or {"advance": millis}, …]} (and "stateTtl", see withStateTtl, for a STATE_TTL hint),
 * and answers each with one line, {"outputs": [[change, …] per step]} (with "key": the primary
 * key's column indexes when the job writes to an upsert sink) or {"error": message}.
 *
 * The script's tables use the `fixture` connector (FixtureConnector); its SETs apply as in
 * FlinkScriptRunner, at parallelism 1 and with the session time zone UTC; its last statement, a
 * SELECT (written into a fixture sink) or one INSERT, is the job. Each batch goes into every source
 * instance of its table; the next step follows once a checkpoint taken after it has completed.
 *
 * Processing time is FixtureClock's (scripts/flink/clock/: the timer service of every task and
 * state TTL's time provider, which come first on the classpath, read it): it stands at "start"
 * from before the job starts, and an "advance" step moves it on, which fires the processing-time
 * timers it passes; the checkpoint after the step completes once the tasks have taken those
 * timers' mails (queued before the barrier) and sent on what they emitted.
 *
 * Usage: FixtureRunner SLOTS. Prints "READY" once the cluster runs.
 */
public final class FixtureRunner {
  private static final long START_TIMEOUT_MS = 60_000;
  /** A STATE_TTL hint, which Flink 1.18 refuses: the request's "stateTtl" sets what it says. */
  private static final Pattern STATE_TTL_HINT =
      Pattern.compile("/\\*\\+\\s*STATE_TTL\\s*\\((?:'[^']*'|[^')])*\\)\\s*\\*/", Pattern.CASE_INSENSITIVE);

  public static void main(String[] args) throws Exception {
    int slots = Integer.parseInt(args[0]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Configuration cluster = new Configuration();
    cluster.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    cluster.set(RestOptions.ADDRESS, "127.0.0.1");
    cluster.set(RestOptions.PORT, 0);
    cluster.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
    try (MiniCluster miniCluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(cluster)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build())) {
      miniCluster.start();
      int restPort = miniCluster.getRestAddress().get().getPort();
      out.println("READY");
      ObjectMapper json = new ObjectMapper();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        ObjectNode answer = json.createObjectNode();
        try {
          List<List<String>> outputs = runCase(json.readTree(line), miniCluster, restPort);
          ArrayNode batches = answer.putArray("outputs");
          for (List<String> batch : outputs) {
            ArrayNode changes = batches.addArray();
            batch.forEach(changes::add);
          }
          if (FixtureConnector.sinkKey != null)
            for (int index : FixtureConnector.sinkKey) answer.withArray("key").add(index);
        } catch (Throwable error) {
          answer.put("error", FlinkScriptRunner.message(error));
        }
        out.println(json.writeValueAsString(answer));
      }
    }
  }

  private static List<List<String>> runCase(JsonNode request, MiniCluster miniCluster, int restPort)
      throws Exception {
    FixtureConnector.reset();
    FixtureClock.set(request.get("start").asLong());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort, new Configuration());
    env.setParallelism(1);
    env.setBufferTimeout(0);
    // Checkpoints are taken on demand (see barrier); the interval only makes Flink keep a coordinator.
    env.enableCheckpointing(24 * 3_600_000L);
    StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env);
    tableEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
    List<String> statements = FlinkScriptRunner.split(request.get("script").asText());
    for (String statement : statements.subList(0, statements.size() - 1)) {
      Matcher set = FlinkScriptRunner.SET.matcher(statement);
      if (set.matches()) {
        Configuration option = new Configuration();
        option.setString(set.group(1), set.group(2).replace("''", "'"));
        env.configure(option, FixtureRunner.class.getClassLoader());
        tableEnv.getConfig().getConfiguration().setString(set.group(1), set.group(2).replace("''", "'"));
      } else tableEnv.executeSql(statement);
    }
    env.setParallelism(1);
    String last = STATE_TTL_HINT.matcher(statements.get(statements.size() - 1)).replaceAll(" ");
    StreamStatementSet inserts = tableEnv.createStatementSet();
    if (FlinkScriptRunner.INSERT.matcher(last).matches()) inserts.addInsertSql(last);
    else {
      // A SELECT writes into a fixture sink that takes every kind of change, as toChangelogStream
      // would. Its time attributes are cast to plain timestamps first: Flink refuses to write a
      // result with two rowtime columns (an interval or window join's) into any sink.
      Table query = tableEnv.sqlQuery(last);
      Schema.Builder schema = Schema.newBuilder();
      List<Expression> columns = new ArrayList<>();
      for (Column column : query.getResolvedSchema().getColumns()) {
        DataType type = DataTypes.of(LogicalTypeUtils.removeTimeAttributes(column.getDataType().getLogicalType()));
        schema.column(column.getName(), type);
        columns.add(Expressions.$(column.getName()).cast(type).as(column.getName()));
      }
      Table table = query.select(columns.toArray(new Expression[0]));
      inserts.add(
          table.insertInto(
              TableDescriptor.forConnector("fixture").schema(schema.build()).option("mode", "cdc").build()));
    }
    if (request.has("stateTtl")) withStateTtl(inserts, request.get("stateTtl"), tableEnv, env);
    else inserts.attachAsDataStream();
    StreamGraph graph = env.getStreamGraph(true);
    graph.setJobName("fixture");
    Map<String, Integer> sources = new HashMap<>();
    for (StreamNode node : graph.getStreamNodes())
      if (node.getOperatorFactory() instanceof SimpleUdfStreamOperatorFactory
          && ((SimpleUdfStreamOperatorFactory<?>) node.getOperatorFactory()).getUserFunction()
              instanceof FixtureConnector.Feed)
        sources.merge(
            ((FixtureConnector.Feed)
                    ((SimpleUdfStreamOperatorFactory<?>) node.getOperatorFactory()).getUserFunction())
                .table,
            1,
            Integer::sum);
    JobClient client = env.executeAsync(graph);
    try {
      long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
      while (!sources.entrySet().stream()
          .allMatch(e -> FixtureConnector.FEEDS.getOrDefault(e.getKey(), List.of()).size() == e.getValue())) {
        checkRunning(client, deadline, "its sources to start");
        Thread.sleep(10);
      }
      while (!allRunning(miniCluster, client)) {
        checkRunning(client, deadline, "its tasks to run");
        Thread.sleep(10);
      }
      List<List<String>> outputs = new ArrayList<>();
      for (JsonNode step : request.get("steps")) {
        int before = FixtureConnector.OUTPUT.size();
        deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        // A checkpoint completes once every operator has taken its barrier, which the sources send
        // after the batch and its watermark: all the batch completes has then reached the output.
        if (!step.has("advance")) {
          feed(step, sources, client, deadline);
          barrier(miniCluster, client, deadline);
        } else {
          // The mails of the timers the move fires are queued before the barrier is sent, yet an
          // idle task was seen to read the barrier first. A task takes its queued mails before its
          // next input, so all they emit, and what that fires downstream, precedes a second
          // checkpoint's barrier.
          FixtureClock.set(FixtureClock.now() + step.get("advance").asLong());
          barrier(miniCluster, client, deadline);
          barrier(miniCluster, client, deadline);
        }
        synchronized (FixtureConnector.OUTPUT) {
          outputs.add(new ArrayList<>(FixtureConnector.OUTPUT.subList(before, FixtureConnector.OUTPUT.size())));
        }
      }
      return outputs;
    } finally {
      client.cancel().get(30, TimeUnit.SECONDS);
      while (!client.getJobStatus().get().isGloballyTerminalState()) Thread.sleep(10);
    }
  }

  /** Queues a batch for every source instance of its table and waits until they have emitted it. */
  private static void feed(JsonNode batch, Map<String, Integer> sources, JobClient client, long deadline)
      throws Exception {
    String tableName = batch.get("table").asText();
    int instances = sources.getOrDefault(tableName, 0);
    if (instances == 0) throw new IllegalArgumentException("the job reads no table '" + tableName + "'");
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode row : batch.get("rows")) {
      List<String> change = new ArrayList<>();
      row.forEach(v -> change.add(v.asText()));
      rows.add(change);
    }
    for (var queue : FixtureConnector.FEEDS.get(tableName)) queue.add(rows);
    while (!FixtureConnector.EMITTED.tryAcquire(instances, 10, TimeUnit.MILLISECONDS))
      checkRunning(client, deadline, "the batch to be emitted");
  }

  /**
   * Translates the job through its compiled plan with the state TTL of the hinted operators set in
   * it (Flink 1.18's operator-level TTL, FLIP-292, which the STATE_TTL hint of Flink 1.19 sets): the
   * n-th entry of a kind ("join" or "group-aggregate") gives the TTLs (ms, null for the job's) of
   * the n-th node of that kind, per state (a join's left and right).
   */
  private static void withStateTtl(
      StreamStatementSet inserts, JsonNode ttls, StreamTableEnvironment tableEnv, StreamExecutionEnvironment env)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode plan = json.readTree(inserts.compilePlan().asJsonString());
    Map<String, Integer> seen = new HashMap<>();
    for (JsonNode hinted : ttls) {
      String kind = "stream-exec-" + hinted.get("operator").asText() + "_";
      int wanted = seen.merge(kind, 1, Integer::sum);
      JsonNode node = null;
      int found = 0;
      for (JsonNode candidate : plan.get("nodes"))
        if (candidate.get("type").asText().startsWith(kind) && ++found == wanted) node = candidate;
      if (node == null) throw new IllegalArgumentException("the compiled plan has no node " + kind + " #" + wanted);
      JsonNode states = node.get("state");
      for (int i = 0; i < hinted.get("ttls").size(); i++)
        if (!hinted.get("ttls").get(i).isNull())
          ((ObjectNode) states.get(i)).put("ttl", hinted.get("ttls").get(i).asLong() + " ms");
    }
    Planner planner = ((TableEnvironmentImpl) tableEnv).getPlanner();
    InternalPlan internal = planner.loadPlan(PlanReference.fromJsonString(json.writeValueAsString(plan)));
    for (Transformation<?> transformation : planner.translatePlan(internal)) env.addOperator(transformation);
  }

  private static boolean allRunning(MiniCluster miniCluster, JobClient job) throws Exception {
    for (var vertex : miniCluster.getExecutionGraph(job.getJobID()).get().getAllExecutionVertices())
      if (vertex.getExecutionState() != ExecutionState.RUNNING) return false;
    return true;
  }

  /** Takes a checkpoint, trying again while one cannot be taken yet. */
  private static void barrier(MiniCluster miniCluster, JobClient job, long deadline) throws Exception {
    while (true) {
      try {
        miniCluster.triggerCheckpoint(job.getJobID()).get();
        return;
      } catch (ExecutionException notYet) {
        checkRunning(job, deadline, "a checkpoint (" + FlinkScriptRunner.message(notYet) + ")");
        Thread.sleep(20);
      }
    }
  }

  /** Throws the job's failure if it failed, or a timeout past the deadline. */
  private static void checkRunning(JobClient job, long deadline, String waitingFor) throws Exception {
    JobStatus status = job.getJobStatus().get();
    if (status.isGloballyTerminalState()) {
      try {
        job.getJobExecutionResult().get();
      } catch (Exception failure) {
        throw failure;
      }
      throw new IllegalStateException("the job ended (" + status + ")");
    }
    if (System.currentTimeMillis() > deadline)
      throw new IllegalStateException("timed out waiting for " + waitingFor + " (job " + status + ")");
  }
}
