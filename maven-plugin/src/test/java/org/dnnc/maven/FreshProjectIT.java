package org.dnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #5, "checked by": a brand-new Maven project outside the repository, which depends only on
 * the installed dnnc artifacts, builds with {@code mvn package} and trains its network with
 * {@code java -cp ...}. Issue #15, "checked by": its program starts from a checkpoint laid out as
 * PyTorch writes one (written here byte by byte in the safetensors layout: {@code nn.Sequential}
 * names, one F16 tensor), fine-tunes it, saves it with the training state, resumes in a new
 * instance, and predicts from 4 threads through a {@code Predictor}.
 *
 * <p>Run by maven-failsafe-plugin in {@code integration-test}, after {@code invoker:install} has put
 * the dnnc artifacts into {@code target/local-repo}; the pom passes the settings below as system
 * properties. The project is written into a temporary folder, which is kept when the test fails.
 * Run any other way (an IDE, or surefire picking it up through {@code -Dtest=...}), it has none of
 * them and is skipped.
 */
@EnabledIfSystemProperty(named = "dnnc.it.localRepository", matches = ".+",
        disabledReason = "needs invoker:install and the settings from the failsafe execution of `mvn verify`")
class FreshProjectIT {
    private static final long MAVEN_TIMEOUT_S = 300;
    private static final long JAVA_TIMEOUT_S = 120;
    private static final Pattern ACCURACY = Pattern.compile("(?m)^test accuracy: ([0-9.]+)\\s*$");
    private static final Pattern ACCURACY_BEFORE = Pattern.compile("(?m)^test accuracy before training: ([0-9.]+)\\s*$");
    private static final Pattern ACCURACY_LOADED = Pattern.compile("(?m)^test accuracy after loading: ([0-9.]+)\\s*$");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path project;

    @Test
    void aNewProjectBuildsWithMavenAndTrainsItsNetwork() throws Exception {
        writeProject();

        // 1. mvn package: generates, compiles and packages the network, and writes the classpath.
        List<String> mvn = new ArrayList<>(List.of(mavenExecutable(), "-B", "-ntp",
                "-s", settings().toString(),
                "-Dmaven.repo.local=" + property("dnnc.it.localRepository"),
                // The main build's local repository is a file: repository: usable offline.
                "-Daether.offline.protocols=file"));
        if (Boolean.parseBoolean(System.getProperty("dnnc.it.offline", "false"))) {
            mvn.add("-o");
        }
        mvn.add("package");
        Run build = run("mvn", mvn, MAVEN_TIMEOUT_S);
        assertEquals(0, build.exitCode, () -> "mvn package failed in " + project + "\n" + build);
        assertTrue(build.output.contains("dnnc: 1 .dnn file: 1 compiled"), () -> "no dnnc summary in the log\n" + build);

        Path generated = project.resolve("target/generated-sources/dnnc/com/example/Blobs.java");
        assertTrue(Files.isRegularFile(generated), () -> "no generated source " + generated + "\n" + build);
        assertTrue(Files.readString(generated).contains("package com.example;"), "generated in the wrong package");
        Path jar = project.resolve("target/blobs-1.0.jar");
        assertTrue(Files.isRegularFile(jar), () -> "no jar " + jar + "\n" + build);
        Path classpathFile = project.resolve("target/classpath.txt");
        assertTrue(Files.isRegularFile(classpathFile), () -> "no " + classpathFile + "\n" + build);
        String dependencies = Files.readString(classpathFile).strip();
        assertTrue(dependencies.contains("dnnc-runtime-" + property("dnnc.it.version") + ".jar"),
                () -> "the runtime is not on the classpath: " + dependencies);

        // 2. java -cp: the packaged classes and their dependencies, with the JDK running this test.
        String classpath = jar + java.io.File.pathSeparator + dependencies;
        Path pretrained = project.resolve("pytorch/blobs.safetensors");
        PyTorchCheckpoint.write(pretrained);
        Run train = run("java", List.of(javaExecutable(), "-cp", classpath, "com.example.Main", pretrained.toString(),
                project.resolve("model").toString()), JAVA_TIMEOUT_S);
        assertEquals(0, train.exitCode, () -> "com.example.Main failed in " + project + "\n" + train);
        System.out.print(train.output);
        double before = number(ACCURACY_BEFORE, train);
        double loaded = number(ACCURACY_LOADED, train);
        double after = number(ACCURACY, train);
        assertTrue(loaded >= 0.9, () -> "the PyTorch weights did not load: test accuracy " + loaded + "\n" + train);
        assertTrue(loaded > before + 0.2, () -> "loading did not change the network: " + before + " -> " + loaded + "\n" + train);
        assertTrue(after >= 0.9, () -> "test accuracy " + after + " < 0.9 after fine-tuning\n" + train);
        assertContains(train, "loaded 4 of 4 parameters; converted: logits.dense1.weight (F16)");
        assertContains(train, "resumed with the training state after 8 epochs");
        assertContains(train, "epochs after resuming: 16");
        assertContains(train, "predictor: 0 of 1200 predictions differ from one thread's");
        assertTrue(Files.isRegularFile(project.resolve("model/blobs-resumed.safetensors")), () -> "no saved model\n" + train);
    }

    private static void assertContains(Run run, String line) {
        assertTrue(run.output.contains(line), () -> "no `" + line + "` in the output\n" + run);
    }

    private void writeProject() throws IOException {
        write("pom.xml", POM
                .replace("@dnnc.version@", property("dnnc.it.version"))
                .replace("@compiler.version@", property("dnnc.it.compilerVersion"))
                .replace("@resources.version@", property("dnnc.it.resourcesVersion"))
                .replace("@surefire.version@", property("dnnc.it.surefireVersion"))
                .replace("@jar.version@", property("dnnc.it.jarVersion"))
                .replace("@dependency.version@", property("dnnc.it.dependencyVersion")));
        write("src/main/dnn/com/example/Blobs.dnn", DNN);
        write("src/main/java/com/example/Main.java", MAIN);
    }

    /** The settings of the invoker's projects (src/it/settings.xml), filtered the same way. */
    private Path settings() throws IOException {
        String text = Files.readString(Path.of(property("dnnc.it.settings")))
                .replace("@mainLocalRepositoryUrl@", property("dnnc.it.mainLocalRepositoryUrl"));
        Path settings = project.resolve("settings.xml");
        Files.writeString(settings, text);
        return settings;
    }

    private void write(String relative, String text) throws IOException {
        Path file = project.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            fail("system property " + name + " is not set (the test runs from the maven-plugin pom's failsafe execution)");
        }
        return value;
    }

    private static boolean windows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    /** The Maven that runs this build (maven.home), not whatever `mvn` is on the PATH. */
    private static String mavenExecutable() {
        Path bin = Path.of(property("maven.home"), "bin", windows() ? "mvn.cmd" : "mvn");
        assertTrue(Files.isRegularFile(bin), () -> "no Maven launcher " + bin);
        return bin.toString();
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", windows() ? "java.exe" : "java").toString());
    }

    private static double number(Pattern pattern, Run run) {
        Matcher matcher = pattern.matcher(run.output);
        assertTrue(matcher.find(), () -> "no line matching " + pattern + " in the output\n" + run);
        return Double.parseDouble(matcher.group(1));
    }

    /** Runs {@code command} in the project folder; its output goes to {@code NAME.log} there. */
    private Run run(String name, List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = project.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        // Maven runs on the JDK that runs this test.
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        return new Run(String.join(" ", command), finished ? process.exitValue() : -1, finished, output);
    }

    private record Run(String command, int exitCode, boolean finished, String output) {
        @Override
        public String toString() {
            return "$ " + command + "\n" + (finished ? "exit code " + exitCode : "timed out") + "; output:\n" + output;
        }
    }

    private static final String POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0"
                     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
              <modelVersion>4.0.0</modelVersion>
              <groupId>com.example</groupId>
              <artifactId>blobs</artifactId>
              <version>1.0</version>

              <properties>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                <maven.compiler.release>17</maven.compiler.release>
              </properties>

              <dependencies>
                <dependency>
                  <groupId>org.dnnc</groupId>
                  <artifactId>dnnc-runtime</artifactId>
                  <version>@dnnc.version@</version>
                </dependency>
              </dependencies>

              <build>
                <plugins>
                  <plugin>
                    <groupId>org.dnnc</groupId>
                    <artifactId>dnnc-maven-plugin</artifactId>
                    <version>@dnnc.version@</version>
                    <executions>
                      <execution>
                        <goals>
                          <goal>compile</goal>
                        </goals>
                      </execution>
                    </executions>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-compiler-plugin</artifactId>
                    <version>@compiler.version@</version>
                    <configuration>
                      <release>17</release>
                    </configuration>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-resources-plugin</artifactId>
                    <version>@resources.version@</version>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-surefire-plugin</artifactId>
                    <version>@surefire.version@</version>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-jar-plugin</artifactId>
                    <version>@jar.version@</version>
                  </plugin>
                  <!-- The runtime classpath, for `java -cp target/blobs-1.0.jar:$(cat target/classpath.txt)`. -->
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-dependency-plugin</artifactId>
                    <version>@dependency.version@</version>
                    <executions>
                      <execution>
                        <phase>package</phase>
                        <goals>
                          <goal>build-classpath</goal>
                        </goals>
                        <configuration>
                          <includeScope>runtime</includeScope>
                          <outputFile>${project.build.directory}/classpath.txt</outputFile>
                        </configuration>
                      </execution>
                    </executions>
                  </plugin>
                </plugins>
              </build>
            </project>
            """;

    private static final String DNN = """
            package com.example;

            // Eight features, three classes.
            network Blobs {
                input x: float[8];
                input label: int;

                logits = x -> dense(16) -> relu -> dense(3);
                output probs = softmax(logits);

                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = adam(lr: 0.01);
                    batch     = 32;
                    epochs    = 8;
                    init      = he_normal;
                }
            }
            """;

    private static final String MAIN = """
            package com.example;

            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.Locale;
            import java.util.Random;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;
            import java.util.concurrent.Future;
            import org.dnnc.runtime.Inputs;
            import org.dnnc.runtime.Outputs;
            import org.dnnc.runtime.Predictor;
            import org.dnnc.runtime.data.Dataset;
            import org.dnnc.runtime.io.LoadOptions;
            import org.dnnc.runtime.io.LoadReport;
            import org.dnnc.runtime.io.SaveOptions;
            import org.dnnc.runtime.train.History;

            /**
             * Starts Blobs.dnn from a PyTorch checkpoint, fine-tunes it on three clusters of random
             * points, saves it with its training state, resumes in a new instance, and predicts from
             * four threads. Arguments: PYTORCH_CHECKPOINT OUT_DIR.
             */
            public final class Main {
                static final int FEATURES = 8;
                static final int CLASSES = 3;
                static final int THREADS = 4;

                /** Example i belongs to class i % 3: its features are noise around a corner of the class. */
                static Dataset blobs(int n, long seed) {
                    Random random = new Random(seed);
                    float[] x = new float[n * FEATURES];
                    int[] labels = new int[n];
                    for (int i = 0; i < n; i++) {
                        labels[i] = i % CLASSES;
                        for (int f = 0; f < FEATURES; f++) {
                            float center = f % CLASSES == labels[i] ? 1.5f : -0.5f;
                            x[i * FEATURES + f] = center + 0.7f * (float) random.nextGaussian();
                        }
                    }
                    return Dataset.of(x, new int[] {FEATURES}, labels);
                }

                public static void main(String[] args) throws Exception {
                    Path pretrained = Path.of(args[0]);
                    Path out = Files.createDirectories(Path.of(args[1]));
                    Dataset train = blobs(600, 1);
                    Dataset test = blobs(300, 2);
                    // PyTorch's nn.Sequential(Linear, ReLU, Linear) names its layers 0 and 2.
                    LoadOptions fromPyTorch = LoadOptions.builder()
                            .rename("0.", "logits.dense1.").rename("2.", "logits.dense2.").build();
                    Path checkpoint = out.resolve("blobs.safetensors");
                    try (Blobs net = Blobs.builder().seed(7).threads(1).build()) {
                        System.out.printf(Locale.ROOT, "test accuracy before training: %.4f%n", net.evaluate(test).accuracy());
                        LoadReport report = net.load(pretrained, fromPyTorch);
                        System.out.printf(Locale.ROOT, "loaded %d of 4 parameters; converted: %s%n", report.loaded().size(),
                                String.join(", ", report.converted()));
                        System.out.printf(Locale.ROOT, "test accuracy after loading: %.4f%n", net.evaluate(test).accuracy());
                        History history = net.fit(train, null);
                        System.out.print(history.toJsonLines());
                        net.save(checkpoint, SaveOptions.withTrainingState());
                    }
                    try (Blobs net = Blobs.builder().threads(1).build()) {
                        LoadReport report = net.load(checkpoint, LoadOptions.resume());
                        System.out.printf(Locale.ROOT, "resumed %s after %d epochs%n",
                                report.trainingState() ? "with the training state" : "WITHOUT the training state", net.epochs());
                        net.fit(train, null);
                        System.out.printf(Locale.ROOT, "epochs after resuming: %d%n", net.epochs());
                        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", net.evaluate(test).accuracy());
                        net.save(out.resolve("blobs-resumed.safetensors"));
                        System.out.println(predictFromThreads(net, test));
                    }
                }

                /** Every thread predicts the whole test set in batches of 10; all must match one thread's answers. */
                static String predictFromThreads(Blobs net, Dataset test) throws Exception {
                    int n = test.size();
                    float[] x = new float[n * FEATURES];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(test.features(i), 0, x, i * FEATURES, FEATURES);
                    }
                    float[] expected = net.predict(Inputs.of("x", x)).get("probs");
                    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                    try (Predictor predictor = net.predictor()) {
                        List<Future<Integer>> differing = new ArrayList<>();
                        for (int t = 0; t < THREADS; t++) {
                            differing.add(pool.submit(() -> {
                                int wrong = 0;
                                for (int start = 0; start < n; start += 10) {
                                    float[] batch = java.util.Arrays.copyOfRange(x, start * FEATURES, (start + 10) * FEATURES);
                                    Outputs outputs = predictor.predict(Inputs.of("x", batch));
                                    for (int i = 0; i < 10; i++) {
                                        float[] probs = outputs.example("probs", i);
                                        for (int c = 0; c < CLASSES; c++) {
                                            if (probs[c] != expected[(start + i) * CLASSES + c]) {
                                                wrong++;
                                                break;
                                            }
                                        }
                                    }
                                }
                                return wrong;
                            }));
                        }
                        int wrong = 0;
                        for (Future<Integer> f : differing) {
                            wrong += f.get();
                        }
                        return String.format(Locale.ROOT, "predictor: %d of %d predictions differ from one thread's (%d instances)",
                                wrong, THREADS * n, predictor.instances());
                    } finally {
                        pool.shutdown();
                    }
                }
            }
            """;
}
