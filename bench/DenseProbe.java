import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.CpuContext;
import org.dnnc.runtime.cpu.Dense;

/**
 * GFLOP/s of {@code Dense}'s three passes (forward with bias and ReLU, input gradient, weight
 * gradient) on the shapes of the MLP benchmarks, in a context of two threads: medians of 21 calls
 * after half a second of them. Run it twice to compare oneDNN's matmul (where the runtime's rule sends a call) with
 * OpenBLAS split over two threads ({@code -Ddnnc.onednn=false}):
 *
 * <pre>
 * ./mvnw -o -q install -DskipTests -pl runtime,compiler,tools
 * JAR=tools/target/dnnc-tools-0.1.0-SNAPSHOT-cli.jar
 * java -cp $JAR bench/DenseProbe.java
 * java -Ddnnc.onednn=false -cp $JAR bench/DenseProbe.java
 * </pre>
 */
public final class DenseProbe {

    /**
     * batch, in, out: the Fashion MLP's first two layers, then the wide MLP's in training and
     * inference. The small ones come first: right after a oneDNN call, OpenBLAS shares the cores
     * with OpenMP's spinning workers.
     */
    private static final int[][] SHAPES = {
        {64, 784, 256}, {64, 256, 128}, {64, 784, 4096}, {64, 4096, 4096}, {256, 784, 4096}, {256, 4096, 4096},
    };

    private DenseProbe() {}

    public static void main(String[] args) {
        System.out.println("batch x in x out      forward  input-grad  weight-grad   (GFLOP/s, oneDNN "
                + (Boolean.parseBoolean(System.getProperty("dnnc.onednn", "true")) ? "on" : "off") + ")");
        try (CpuContext context = CpuContext.create(2); CpuContext.Scope scope = context.enter()) {
            for (int[] s : SHAPES) {
                int batch = s[0];
                int in = s[1];
                int out = s[2];
                Buf x = random(batch * in);
                Buf w = random(out * in);
                Buf b = random(out);
                Buf y = Buf.allocate(batch * out);
                Buf dx = Buf.allocate(batch * in);
                Buf dw = Buf.allocate(out * in);
                double flops = 2.0 * batch * in * out;
                double forward = flops / median(() -> Dense.forward(x, w, b, y, batch, in, out, Activation.RELU, 0f));
                double input = flops / median(() -> Dense.backwardInput(y, w, dx, batch, in, out, false));
                double weight = flops / median(() -> Dense.backwardWeights(y, x, dw, batch, in, out, false));
                System.out.printf(Locale.ROOT, "%-18s %9.1f %11.1f %12.1f%n", batch + "x" + in + "x" + out, forward, input,
                        weight);
            }
        }
    }

    /** Nanoseconds of a median call. */
    private static double median(Runnable call) {
        // Half a second of calls first, so that the JIT has compiled the Java epilogues.
        long warm = System.nanoTime();
        for (int i = 0; i < 10 || System.nanoTime() - warm < 500_000_000L; i++) {
            call.run();
        }
        long[] t = new long[21];
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            call.run();
            t[i] = System.nanoTime() - start;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    private static Buf random(int n) {
        SplittableRandom random = new SplittableRandom(n);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return Buf.allocate(n).copyFrom(values);
    }
}
