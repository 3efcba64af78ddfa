package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Cuda} says on a machine without CUDA, and how it finds libraries. */
class CudaAvailabilityTest {

    @TempDir
    Path dir;

    @Test
    void withoutTheDriverTheReasonNamesTheDriverLibrary() {
        Path driver = Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1");
        assumeFalse(Files.exists(driver) || Cuda.availability().present(), "this machine has the NVIDIA driver");
        Cuda.Availability a = Cuda.availability();
        assertThat(a.present()).isFalse();
        assertThat(a.reason()).contains("libcuda.so.1");
        assertThat(a.reason()).contains("NVIDIA driver");
        assertThat(a.reason()).contains("docs/cuda.md");
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, Cuda::require);
        assertThat(e).hasMessageThat().isEqualTo(a.reason());
        assertThrows(CudaUnavailableException.class, () -> CudaContext.open(CudaOptions.defaults()));
    }

    @Test
    void theAnswerIsWorkedOutOnce() {
        assertThat(Cuda.availability()).isSameInstanceAs(Cuda.availability());
    }

    @Test
    void librariesAreFoundByFileNameInTheGivenFolders() throws IOException {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        Files.createFile(b.resolve("libcublas.so.13"));
        NativeLibraries libs = new NativeLibraries(List.of(a, b));
        assertThat(libs.find("libcublas.so.13")).isTrue();
        assertThat(libs.find("libnvrtc.so.13")).isFalse();
    }

    @Test
    void theMessageListsEachMissingLibraryWithWhatItIs() throws IOException {
        Files.createFile(dir.resolve("libcudart.so.13"));
        NativeLibraries libs = new NativeLibraries(List.of(dir));
        Cuda.Availability a = Cuda.probe(libs);
        assumeFalse(a.present(), "the CUDA bindings load here");
        assertThat(a.reason()).contains("missing libcuda.so.1 (the NVIDIA driver");
        assertThat(a.reason()).contains("libcublas.so.13 (cuBLAS 13)");
        assertThat(a.reason()).contains("libnvrtc.so.13 (NVRTC 13");
        assertThat(a.reason()).doesNotContain("libcudart.so.13 (");
        assertThat(a.reason()).contains(dir.toString());
    }
}
