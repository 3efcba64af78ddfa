package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk kernel cache, with a compiler that records what it is asked to compile. */
class KernelCacheTest {

    @TempDir
    Path folder;

    /** "Compiles" to a text naming the source, the architecture and its own id, and records each call. */
    private static final class FakeCompiler implements KernelCompiler {
        final List<String> calls = new ArrayList<>();
        private final String id;

        FakeCompiler(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String compile(KernelSource source, String architecture) {
            calls.add(source.name() + "@" + architecture);
            return "// ptx of " + source.name() + " for " + architecture + " by " + id + "\n" + source.source().length() + "\n";
        }
    }

    private static final KernelSource BIAS = new KernelSource("bias", "extern \"C\" __global__ void b(float* x) { x[0] = 1; }");

    @Test
    void aSecondRunCompilesNothing() {
        FakeCompiler first = new FakeCompiler("fake 1");
        KernelCache run1 = new KernelCache(folder, first);
        String ptx = run1.ptx(BIAS, "compute_90");
        assertThat(run1.compilations()).isEqualTo(1);
        assertThat(run1.ptx(BIAS, "compute_90")).isEqualTo(ptx);
        assertThat(run1.compilations()).isEqualTo(1);

        FakeCompiler second = new FakeCompiler("fake 1");
        KernelCache run2 = new KernelCache(folder, second);
        assertThat(run2.ptx(BIAS, "compute_90")).isEqualTo(ptx);
        assertThat(run2.compilations()).isEqualTo(0);
        assertThat(second.calls).isEmpty();
    }

    @Test
    void theKeyCoversSourceArchitectureAndCompiler() {
        FakeCompiler compiler = new FakeCompiler("fake 1");
        KernelCache cache = new KernelCache(folder, compiler);
        cache.ptx(BIAS, "compute_90");
        cache.ptx(BIAS, "compute_80");
        cache.ptx(new KernelSource("bias", BIAS.source() + " "), "compute_90");
        assertThat(compiler.calls).containsExactly("bias@compute_90", "bias@compute_80", "bias@compute_90").inOrder();

        FakeCompiler newer = new FakeCompiler("fake 2");
        KernelCache cache2 = new KernelCache(folder, newer);
        assertThat(cache2.ptx(BIAS, "compute_90")).contains("by fake 2");
        assertThat(cache2.compilations()).isEqualTo(1);
        assertThat(cache.key(BIAS, "compute_90")).isNotEqualTo(cache2.key(BIAS, "compute_90"));
    }

    @Test
    void aCorruptEntryIsCompiledAgainAndReplaced() throws IOException {
        KernelCache cache = new KernelCache(folder, new FakeCompiler("fake 1"));
        String ptx = cache.ptx(BIAS, "compute_90");
        Path entry = onlyEntry();
        String stored = Files.readString(entry);
        // A flipped character in the PTX, then a truncated file, then garbage bytes.
        for (byte[] corrupt : List.of(stored.replace("ptx of", "ptx 0f").getBytes(),
                stored.substring(0, stored.length() - 3).getBytes(), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1})) {
            Files.write(entry, corrupt);
            FakeCompiler compiler = new FakeCompiler("fake 1");
            KernelCache again = new KernelCache(folder, compiler);
            assertThat(again.ptx(BIAS, "compute_90")).isEqualTo(ptx);
            assertThat(again.compilations()).isEqualTo(1);
            assertThat(Files.readString(entry)).isEqualTo(stored);
        }
    }

    @Test
    void aCompileErrorStoresNothing() throws IOException {
        KernelCompiler failing = new KernelCompiler() {
            @Override
            public String id() {
                return "failing";
            }

            @Override
            public String compile(KernelSource source, String architecture) {
                throw new CudaException("compiling kernel source " + source.name() + " failed: error: y is undefined");
            }
        };
        KernelCache cache = new KernelCache(folder, failing);
        CudaException e = assertThrows(CudaException.class, () -> cache.ptx(BIAS, "compute_90"));
        assertThat(e).hasMessageThat().contains("y is undefined");
        assertThat(cache.compilations()).isEqualTo(0);
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void theFolderComesFromTheSystemProperty() {
        String old = System.getProperty(KernelCache.FOLDER_PROPERTY);
        try {
            System.setProperty(KernelCache.FOLDER_PROPERTY, folder.toString());
            assertThat(KernelCache.defaultFolder()).isEqualTo(folder);
            assertThat(CudaOptions.defaults().kernelCache()).isEqualTo(folder);
            System.clearProperty(KernelCache.FOLDER_PROPERTY);
            assertThat(KernelCache.defaultFolder().endsWith(Path.of("dnnc", "kernels"))).isTrue();
        } finally {
            if (old != null) {
                System.setProperty(KernelCache.FOLDER_PROPERTY, old);
            }
        }
    }

    @Test
    void everyFamilyIsOnTheClassPath() {
        for (String family : List.of("elementwise", "activation", "softmax")) {
            KernelSource source = KernelSource.resource(family);
            assertThat(source.source()).contains("extern \"C\" __global__");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelSource.resource("no_such_family"));
        assertThat(e).hasMessageThat().contains("dnnc-kernels");
    }

    private Path onlyEntry() throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }
}
