package dev.vstream.local;

import dev.vstream.api.frame.FrameEncoding;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.api.topic.Topics;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Load bench of the whole pipeline as {@code ./vstream demo} runs it: a {@link LocalStack} (real KRaft broker in a
 * child JVM, ingest, memory and QA as Spring applications in this process, one shared demo language model, contexts
 * handed from memory to QA in memory), fresh for every (N, M) run so the services' meters start at zero.
 *
 * <p>Per run: N streams publish one real 224x224 JPEG frame per second each (distinct pictures per stream, sequence
 * and pts advancing one second, Kafka timestamp now) straight to {@code vstream.frames}; M questions per second
 * (Poisson arrivals of mean rate M, round robin over the streams, max 8 tokens) go to QA's REST endpoint from a few
 * client threads, open loop: a question's latency runs from its scheduled time, so time spent waiting for a free
 * client thread counts. The memory service's {@code /actuator/prometheus} is scraped about every second (uniformly
 * jittered, 0.5 to 1.5 s, so as not to lock in phase with the frames) for the context staleness gauges and at the start
 * and end of the measured window for the frame and refresh counters. A warm-up (frames flowing, each stream answered
 * once) precedes the window and is not measured.
 *
 * <p>Usage: {@code LoadBenchmark [--streams 1,4,8] [--qps 1,2,4] [--seconds 60] [--warmup 15] [--clients 4]
 * [--data DIR]}; streams and qps pair up by position (a single value applies to every run).
 * Not a test (no Test/IT suffix): run by {@code services/local/bench/load.sh}.
 */
final class LoadBenchmark {
    private static final int SIZE = 224;
    private static final int MAX_TOKENS = 8;
    private static final String[] QUESTIONS = {"what is on screen?", "what colour is the background?",
            "where is the bar?", "what changed?", "what moves?", "describe the scene"};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    record Result(int streams, double qps, double seconds, double framesOffered, double framesAccepted,
                  double memoryUpdates, double refreshP50Ms, double refreshP95Ms, double refreshMeanMs,
                  long refreshed, long superseded, double staleVersionsMax, double staleVersionsMean,
                  double staleSecondsMax, double staleSecondsMean, double qP50, double qP95, double qP99,
                  double ttftP50, double queuedP50, double serverTotalP50, int answered, double fallbackShare,
                  double behindShare, int rejected, int failed) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> streams = List.of(1, 4, 8);
        List<Double> qps = List.of(1.0, 2.0, 4.0);
        double seconds = 60;
        double warmup = 15;
        int clients = 4;
        Path data = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--streams" -> streams = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
                case "--qps" -> qps = Arrays.stream(value.split(",")).map(String::trim).map(Double::parseDouble).toList();
                case "--seconds" -> seconds = Double.parseDouble(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--clients" -> clients = Integer.parseInt(value);
                case "--data" -> data = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + flag
                        + " (--streams, --qps, --seconds, --warmup, --clients, --data)");
            }
        }
        int runs = Math.max(streams.size(), qps.size());
        if ((streams.size() != 1 && streams.size() != runs) || (qps.size() != 1 && qps.size() != runs)) {
            throw new IllegalArgumentException("--streams and --qps must have the same number of values (or one)");
        }
        Path root = data != null ? data : Files.createTempDirectory("vstream-load");
        LoadBenchmark bench = new LoadBenchmark();
        List<Result> results = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            int n = streams.get(streams.size() == 1 ? 0 : r);
            double m = qps.get(qps.size() == 1 ? 0 : r);
            results.add(bench.run(root.resolve("run-" + r), r, n, m, seconds, warmup, clients));
            System.out.println();
            System.out.println("### LoadBenchmark after run " + (r + 1) + " of " + runs);
            System.out.println(table(results));
            System.out.flush();
        }
        System.out.println();
        System.out.println("### LoadBenchmark results (" + Runtime.getRuntime().availableProcessors()
                + " processors, window " + fmt(seconds) + " s per run after " + fmt(warmup) + " s warm-up)");
        System.out.println(table(results));
        System.out.flush();
        System.exit(0);
    }

    private Result run(Path dir, int runIndex, int n, double m, double seconds, double warmup, int clients)
            throws Exception {
        LocalOptions options = new LocalOptions(LocalOptions.Verb.DEMO, dir, 0, 0, 0, 0, null, true, 1.0, null);
        System.out.printf(Locale.ROOT, "%n### LoadBenchmark run %d: %d stream(s), %s question(s)/s, %s s%n",
                runIndex + 1, n, fmt(m), fmt(seconds));
        try (LocalStack stack = LocalStack.start(options);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                     new StringSerializer(), new ByteArraySerializer())) {
            String memoryUrl = stack.memoryUrl();
            String qaUrl = stack.qaUrl();
            List<String> ids = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                ids.add("load-" + runIndex + "-" + s);
            }
            long[] sequence = new long[n];
            AtomicLong framesSent = new AtomicLong();
            ScheduledExecutorService frames = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("bench-frames").daemon().factory());
            frames.scheduleAtFixedRate(() -> {
                long now = System.currentTimeMillis();
                for (int s = 0; s < n; s++) {
                  try {
                    long seq = sequence[s]++;
                    byte[] value = FrameRecordCodec.encode(new FrameRecord(ids.get(s), seq, seq * 1_000_000L, SIZE,
                            SIZE, FrameEncoding.JPEG, picture(s, seq)));
                    producer.send(new ProducerRecord<>(Topics.FRAMES.name(), null, now, ids.get(s), value),
                            (meta, e) -> {
                                if (e == null) {
                                    framesSent.incrementAndGet();
                                }
                            });
                  } catch (RuntimeException e) {
                      System.err.println("bench: publishing a frame failed: " + e);
                  }
                }
            }, 0, 1, TimeUnit.SECONDS);

            // Warm-up: frames flow until every stream has been answered once (and at least `warmup` seconds).
            long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
            long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            for (String id : ids) {
                while (true) {
                    Outcome o = ask(qaUrl, id, "warm up");
                    if (o.report != null) {
                        break;
                    }
                    if (System.nanoTime() > readyDeadline) {
                        throw new IllegalStateException("stream " + id + " not answerable after 180 s: " + o.error);
                    }
                    Thread.sleep(250);
                }
            }
            while (System.nanoTime() < warmupEnd) {
                Thread.sleep(100);
            }

            // Measured window.
            Map<String, Double> before = scrape(memoryUrl);
            long sentBefore = framesSent.get();
            List<double[]> stale = Collections.synchronizedList(new ArrayList<>());
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("bench-sampler").daemon().factory());
            java.util.Random random = new java.util.Random(42 + runIndex);
            atRandom(sampler, () -> {
                try {
                    Map<String, Double> now = scrape(memoryUrl);
                    stale.add(new double[] {sum(now, "vstream_memory_context_staleness_versions", ""),
                            sum(now, "vstream_memory_context_staleness_seconds", "")});
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    System.err.println("bench: scrape failed: " + e);
                }
            }, 1.0, false, random);
            ExecutorService askers = Executors.newFixedThreadPool(clients,
                    Thread.ofPlatform().name("bench-client-", 0).daemon().factory());
            ConcurrentLinkedQueue<double[]> latencies = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<AnswerReport> reports = new ConcurrentLinkedQueue<>();
            AtomicInteger rejected = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicInteger issued = new AtomicInteger();
            ScheduledExecutorService questions = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("bench-questions").daemon().factory());
            atRandom(questions, () -> {
                int q = issued.getAndIncrement();
                String id = ids.get(q % n);
                long scheduled = System.nanoTime();
                askers.execute(() -> {
                    Outcome o = ask(qaUrl, id, QUESTIONS[q % QUESTIONS.length]);
                    double ms = (System.nanoTime() - scheduled) / 1e6;
                    if (o.report != null) {
                        latencies.add(new double[] {ms});
                        reports.add(o.report);
                    } else if (o.status > 0 && o.status < 500 || o.status == 503) {
                        rejected.incrementAndGet();
                        System.err.println("bench: rejected " + o.status + " " + o.error);
                    } else {
                        failed.incrementAndGet();
                        System.err.println("bench: failed " + o.status + " " + o.error);
                    }
                });
            }, 1 / m, true, random);

            long windowStart = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            questions.shutdownNow();
            Map<String, Double> after = scrape(memoryUrl);
            double window = (System.nanoTime() - windowStart) / 1e9;
            long sentAfter = framesSent.get();
            sampler.shutdownNow();
            frames.shutdownNow();
            askers.shutdown();
            if (!askers.awaitTermination(120, TimeUnit.SECONDS)) {
                askers.shutdownNow();
            }
            int unanswered = issued.get() - latencies.size() - rejected.get() - failed.get();
            List<AnswerReport> answers = new ArrayList<>(reports);
            double[] q = latencies.stream().mapToDouble(l -> l[0]).sorted().toArray();
            double[] ttft = answers.stream().mapToDouble(AnswerReport::timeToFirstTokenMs).sorted().toArray();
            double[] queued = answers.stream().mapToDouble(AnswerReport::queuedMs).sorted().toArray();
            double[] total = answers.stream().mapToDouble(AnswerReport::totalMs).sorted().toArray();
            double fallback = answers.isEmpty() ? Double.NaN
                    : answers.stream().filter(AnswerReport::fallbackPrefill).count() / (double) answers.size();
            double behind = answers.isEmpty() ? Double.NaN
                    : answers.stream().filter(a -> a.contextVersion() < a.memoryVersion()).count()
                    / (double) answers.size();
            double refreshCount = delta(before, after, "vstream_memory_context_refresh_seconds_count", "");
            double refreshSum = delta(before, after, "vstream_memory_context_refresh_seconds_sum", "");
            List<double[]> samples = new ArrayList<>(stale);
            return new Result(n, m, window, (sentAfter - sentBefore) / window,
                    delta(before, after, "vstream_memory_frames_accepted_total", "") / window,
                    delta(before, after, "vstream_memory_frames_updated_total", "") / window,
                    1e3 * sum(after, "vstream_memory_context_refresh_seconds", "quantile=\"0.5\""),
                    1e3 * sum(after, "vstream_memory_context_refresh_seconds", "quantile=\"0.95\""),
                    refreshCount == 0 ? Double.NaN : 1e3 * refreshSum / refreshCount,
                    (long) delta(before, after, "vstream_memory_context_refreshes_total", "outcome=\"prefilled\""),
                    (long) delta(before, after, "vstream_memory_context_refreshes_total", "outcome=\"superseded\""),
                    samples.stream().mapToDouble(s -> s[0]).max().orElse(Double.NaN),
                    samples.stream().mapToDouble(s -> s[0]).average().orElse(Double.NaN),
                    samples.stream().mapToDouble(s -> s[1]).max().orElse(Double.NaN),
                    samples.stream().mapToDouble(s -> s[1]).average().orElse(Double.NaN),
                    percentile(q, 0.50), percentile(q, 0.95), percentile(q, 0.99), percentile(ttft, 0.50),
                    percentile(queued, 0.50), percentile(total, 0.50), answers.size(), fallback, behind,
                    rejected.get(), failed.get() + unanswered);
        }
    }

    /**
     * Runs {@code task} again and again at random intervals of mean {@code meanSeconds}: exponential (Poisson arrivals)
     * or uniform in [mean/2, 3 mean/2]. Random, not fixed-rate, so neither questions nor samples lock in phase with the
     * 1 frame/s streams (a fixed 1 s sampler would always see the refresher at the same point of its cycle).
     */
    private static void atRandom(ScheduledExecutorService executor, Runnable task, double meanSeconds, boolean poisson,
                                 java.util.Random random) {
        double delay;
        synchronized (random) {
            delay = poisson ? -Math.log(1 - random.nextDouble()) * meanSeconds
                    : meanSeconds * (0.5 + random.nextDouble());
        }
        try {
            executor.schedule(() -> {
                task.run();
                atRandom(executor, task, meanSeconds, poisson, random);
            }, (long) (delay * 1e9), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shut down: the run is over
        }
    }

    private record Outcome(AnswerReport report, int status, String error) {
    }

    private Outcome ask(String qaUrl, String stream, String question) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(qaUrl + "/v1/streams/" + stream + "/questions"))
                    .timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"" + question + "\",\"maxTokens\":"
                            + MAX_TOKENS + "}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new Outcome(null, response.statusCode(), response.body());
            }
            return new Outcome(json.readValue(response.body(), AnswerReport.class), 200, null);
        } catch (IOException e) {
            return new Outcome(null, -1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, -1, e.toString());
        } catch (RuntimeException e) {
            return new Outcome(null, -1, e.toString());
        }
    }

    /** Every sample of a Prometheus text exposition, keyed by {@code name{labels}}. */
    private Map<String, Double> scrape(String memoryUrl) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(memoryUrl + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10)).header("Accept", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /actuator/prometheus: " + response.statusCode());
        }
        Map<String, Double> samples = new java.util.HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            try {
                samples.put(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1).trim()));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                // not a plain sample line
            }
        }
        return samples;
    }

    /** Sum of the samples of metric {@code name} whose labels contain {@code label} (empty: all); NaN if none. */
    private static double sum(Map<String, Double> samples, String name, String label) {
        double total = Double.NaN;
        for (var e : samples.entrySet()) {
            String key = e.getKey();
            int brace = key.indexOf('{');
            String metric = brace < 0 ? key : key.substring(0, brace);
            if (metric.equals(name) && (label.isEmpty() || key.contains(label))) {
                total = Double.isNaN(total) ? e.getValue() : total + e.getValue();
            }
        }
        return total;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String label) {
        return sum(after, name, label) - sum(before, name, label);
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.clamp(index, 0, sorted.length - 1)];
    }

    /** A 224x224 picture distinct per stream and frame: a per-stream hue drifting, a bar sweeping, a stream mark. */
    private static byte[] picture(int stream, long frame) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.getHSBColor(stream * 0.137f + frame / 40f, 0.6f, 0.8f));
        g.fillRect(0, 0, SIZE, SIZE);
        g.setColor(Color.DARK_GRAY);
        g.fillRect((int) ((frame * 20 + stream * 37) % 200), 0, 24, SIZE);
        g.setColor(Color.WHITE);
        g.fillOval(20 + stream * 20 % 180, 20 + (int) (frame * 7 % 180), 24, 24);
        g.drawString("stream " + stream + " frame " + frame, 8, 212);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String table(List<Result> results) {
        StringBuilder t = new StringBuilder();
        t.append("| N streams | M q/s | frames/s offered | frames/s accepted | memory updates/s | refresh p50 ms "
                + "| refresh p95 ms | refresh mean ms | refreshes done / superseded | staleness versions max / mean "
                + "| staleness s max / mean | question p50 ms | p95 ms | p99 ms | TTFT p50 ms | answer total p50 ms "
                + "| queued p50 ms | answered | fallback | ctx < mem | rejected / failed |\n");
        t.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            t.append(String.format(Locale.ROOT,
                    "| %d | %s | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | %d / %d | %.0f / %.2f | %.1f / %.2f "
                            + "| %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %s | %s | %d / %d |%n",
                    r.streams, fmt(r.qps), r.framesOffered, r.framesAccepted, r.memoryUpdates, r.refreshP50Ms,
                    r.refreshP95Ms, r.refreshMeanMs, r.refreshed, r.superseded, r.staleVersionsMax,
                    r.staleVersionsMean, r.staleSecondsMax, r.staleSecondsMean, r.qP50, r.qP95, r.qP99, r.ttftP50,
                    r.serverTotalP50, r.queuedP50, r.answered, pct(r.fallbackShare), pct(r.behindShare), r.rejected, r.failed));
        }
        return t.toString();
    }

    private static String pct(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
