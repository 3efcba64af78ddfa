package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;

/** The arena and its views: alignment, bounds, aliasing and closing. */
class ArenaTest {

    @Test
    void viewsAreAlignedZeroedAndShareMemory() {
        try (Arena arena = new Arena(1024)) {
            assertThat(arena.byteSize()).isEqualTo(1024);
            Buf whole = arena.floats(0, 256);
            Buf tail = arena.floats(512, 128);
            assertThat(whole.address() % Arena.ALIGNMENT).isEqualTo(0);
            assertThat(tail.address() - whole.address()).isEqualTo(512);
            assertThat(whole.get(255)).isEqualTo(0f);
            tail.set(3, 7.5f);
            assertThat(whole.get(128 + 3)).isEqualTo(7.5f);
            assertThat(whole.slice(131, 2).get(0)).isEqualTo(7.5f);
            IntBuffer labels = arena.ints(64, 4);
            labels.put(1, 9);
            assertThat(whole.data().get(17)).isEqualTo(Float.intBitsToFloat(9));
        }
    }

    @Test
    void rejectsViewsOutsideTheBlockOrMisaligned() {
        try (Arena arena = new Arena(256)) {
            assertThrows(IndexOutOfBoundsException.class, () -> arena.floats(0, 65));
            assertThrows(IndexOutOfBoundsException.class, () -> arena.floats(252, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> arena.floats(-4, 1));
            assertThrows(IllegalArgumentException.class, () -> arena.floats(2, 1));
            assertThat(arena.floats(252, 1).size()).isEqualTo(1);
        }
        assertThrows(IllegalArgumentException.class, () -> new Arena(-1));
    }

    @Test
    void closeIsIdempotentAndStopsCarving() {
        Arena arena = new Arena(64);
        arena.close();
        arena.close();
        assertThat(arena.isClosed()).isTrue();
        assertThrows(IllegalStateException.class, () -> arena.floats(0, 1));
    }

    @Test
    void emptyArenaHasNoBytes() {
        try (Arena arena = new Arena(0)) {
            assertThat(arena.byteSize()).isEqualTo(0);
            assertThat(arena.floats(0, 0).size()).isEqualTo(0);
            assertThrows(IndexOutOfBoundsException.class, () -> arena.floats(0, 1));
        }
    }

    @Test
    void viewsOfAnUnclosedArenaOutliveTheArenaReference() {
        Buf view = new Arena(4096).floats(1024, 16);
        view.set(15, 2.5f);
        for (int i = 0; i < 3; i++) {
            System.gc();
            new Arena(1 << 20).close();
        }
        assertThat(view.slice(15, 1).get(0)).isEqualTo(2.5f);
        assertThat(view.pointer().get(15)).isEqualTo(2.5f);
    }

    @Test
    void alignRoundsUpToACacheLine() {
        assertThat(Arena.align(0)).isEqualTo(0);
        assertThat(Arena.align(1)).isEqualTo(64);
        assertThat(Arena.align(64)).isEqualTo(64);
        assertThat(Arena.align(65)).isEqualTo(128);
    }

    @Test
    void standAloneBuffersRoundTrip() {
        Buf b = Buf.of(1f, 2f, 3f);
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.toArray()).isEqualTo(new float[] {1f, 2f, 3f});
        assertThat(b.pointer()).isSameInstanceAs(b.pointer());
        assertThat(b.pointer().get(2)).isEqualTo(3f);
    }
}
