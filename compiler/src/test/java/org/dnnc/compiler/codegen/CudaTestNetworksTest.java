package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU machine's precompiled networks load as the ones compiled in place do; no GPU needed. */
class CudaTestNetworksTest {
    @TempDir
    Path work;

    @Test
    void aPrecompiledNetworkLoadsFromItsFolderWithoutCompiling() throws Exception {
        Path dir = work.resolve("precompiled");
        CudaTestNetworks.precompile(dir, List.of("clipped"));
        Class<?> loaded = CudaTestNetworks.load("clipped", work.resolve("unused"), dir.toString());
        Class<?> compiled = CudaTestNetworks.load("clipped", work.resolve("here"), null);
        assertThat(loaded.getName()).isEqualTo(compiled.getName());
        // Another loader: the class came from the folder, not from this compilation.
        assertThat(loaded.getClassLoader()).isNotSameInstanceAs(compiled.getClassLoader());
        assertThat(loaded.getProtectionDomain().getCodeSource().getLocation().toString())
                .contains("precompiled/clipped/classes");
        assertThat(loaded.getMethod("builder")).isNotNull();
        assertThat(work.resolve("unused").toFile().exists()).isFalse();
    }

    @Test
    void aFolderWithoutTheNetworkSaysHowToFillIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CudaTestNetworks.load("cnn", work, work.toString()));
        assertThat(e).hasMessageThat().contains("has no network 'cnn'");
        assertThat(e).hasMessageThat().contains("bundle.sh");
    }
}
