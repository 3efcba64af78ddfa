package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CPU users never load CUDA: a training step on the CPU kernels, run in a fresh JVM with {@code
 * -verbose:class}, loads no class of JavaCPP's CUDA presets nor of this package.
 */
class CpuPathLoadsNoCudaTest {

    @Test
    void aCpuTrainingStepLoadsNoCudaClass() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-verbose:class", "-cp", System.getProperty("java.class.path"),
                "org.dnnc.runtime.cpu.CpuStepMain").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertWithMessage("the child JVM did not finish").that(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertWithMessage("child JVM output:\n%s", tail(out)).that(p.exitValue()).isEqualTo(0);
        List<String> lines = out.lines().toList();
        // The evidence is real: the step ran, and class loading was listed.
        assertThat(lines.stream().anyMatch(l -> l.startsWith("loss "))).isTrue();
        assertThat(lines.stream().anyMatch(l -> l.contains("org.dnnc.runtime.cpu.Dense "))).isTrue();
        assertThat(lines.stream().anyMatch(l -> l.contains("org.dnnc.runtime.Device "))).isTrue();
        assertThat(lines.stream().filter(l -> l.contains("org.bytedeco.cuda.") || l.contains("org.dnnc.runtime.cuda."))
                .toList()).isEmpty();
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
