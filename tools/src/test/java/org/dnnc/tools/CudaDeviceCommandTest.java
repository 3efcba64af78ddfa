package org.dnnc.tools;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dnnc.runtime.cuda.Cuda;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code dnnc run --device cuda} and {@code dnnc bench --device cuda}: on a machine that cannot run
 * CUDA they stop with what {@link Cuda#availability()} says is missing (exit 1, no stack trace); a
 * network the CUDA target cannot generate yet is refused at its source; an unknown device is a usage
 * error. Where a GPU is present, {@code bench --device cuda} runs the MLP and says so.
 */
class CudaDeviceCommandTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String DATA = ROOT.resolve("data/fashion-mnist-subset").toString();
    private static final String MLP = ROOT.resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn").toString();
    private static final String CNN = ROOT.resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn").toString();
    /** A weighted cross-entropy, whose gradient has no CUDA kernel call yet. */
    private static final String WEIGHTED = ROOT.resolve(
            "compiler/src/test/resources/cuda/WeightedCrossEntropy.dnn").toString();

    @Test
    void withoutAGpuRunAndBenchSayWhatIsMissing() {
        Assumptions.assumeFalse(Cuda.availability().present(), "this machine has a GPU: benchRunsTheMlpOnTheGpu runs");
        String expected = "dnnc: error: cannot run on cuda: " + Cuda.availability().reason();
        for (Result r : List.of(run("run", MLP, "--device", "cuda", "--epochs", "1", "--data", DATA),
                run("run", CNN, "--device", "cuda", "--epochs", "1", "--data", DATA),
                run("bench", "--model", "mlp", "--device", "cuda", "--epochs", "0", "--data", DATA),
                run("bench", "--model", "cnn", "--device", "cuda", "--epochs", "0", "--data", DATA),
                run("bench", "--model", "mlp", "--device", "cuda", "--synthetic", "100"))) {
            assertWithMessage(r.err()).that(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).isEqualTo(expected);
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void aNetworkTheCudaTargetCannotGenerateIsRefusedAtItsSource() {
        Result r = run("run", WEIGHTED, "--device", "cuda", "--epochs", "1", "--data", DATA);
        assertWithMessage(r.err()).that(r.code()).isEqualTo(1);
        assertThat(r.err()).containsMatch("WeightedCrossEntropy.dnn:15:\\d+: error: the cuda target has no kernel"
                + " call for `cross_entropy_grad`");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void anUnknownDeviceIsAUsageError() {
        Result r = run("bench", "--device", "tpu");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown device 'tpu'; the devices are cpu, cuda");
    }

    @Test
    void benchRunsTheMlpOnTheGpu() {
        Assumptions.assumeTrue(Cuda.availability().present(), "needs a CUDA GPU: " + Cuda.availability().reason());
        Result r = run("bench", "--model", "mlp", "--device", "cuda", "--epochs", "1", "--data", DATA);
        assertWithMessage(r.err()).that(r.code()).isEqualTo(0);
        assertThat(r.out()).containsMatch("^\\{\"model\":\"mlp\",\"train_images_per_s\":[0-9]+\\.[0-9],");
        assertThat(r.out()).contains(",\"device\":\"cuda\"}");
        // One epoch of the subset on the GPU learns as on the CPU (GeneratedMlpTest: at least 0.75).
        double accuracy = Double.parseDouble(r.out().replaceAll("(?s).*\"test_accuracy\":([0-9.]+).*", "$1"));
        assertThat(accuracy).isAtLeast(0.75);
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = org.dnnc.compiler.cli.Main.run(args, new PrintWriter(out), new PrintWriter(err), false, Map.of(),
                List.of(new RunCommand(), new BenchCommand()));
        return new Result(code, out.toString(), err.toString());
    }
}
