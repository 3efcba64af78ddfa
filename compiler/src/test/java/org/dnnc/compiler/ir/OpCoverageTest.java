package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every kind of op has typing cases, accepted and rejected, so that a new op cannot go untested. */
class OpCoverageTest {

    private static final Set<Class<?>> ALL_OPS = Set.of(Op.class.getPermittedSubclasses());

    @Test
    void everyOpHasAnAcceptedCase() {
        assertThat(opClasses(OpSamples.accepted())).containsExactlyElementsIn(ALL_OPS);
    }

    @Test
    void everyOpHasARejectedCase() {
        assertThat(opClasses(OpSamples.rejected())).containsExactlyElementsIn(ALL_OPS);
    }

    @Test
    void everyPoolAndCellKindIsCovered() {
        List<OpCase> cases = Stream.of(LayerOpsTest.accepted(), SequenceOpsTest.accepted()).flatMap(s -> s).toList();
        var pools = cases.stream().filter(c -> c.op() instanceof Pool2d)
                .map(c -> ((Pool2d) c.op()).kind()).collect(Collectors.toSet());
        var cells = cases.stream().filter(c -> c.op() instanceof Recurrent)
                .map(c -> ((Recurrent) c.op()).cell()).collect(Collectors.toSet());
        assertThat(pools).containsExactlyElementsIn(Arrays.asList(PoolKind.values()));
        assertThat(cells).containsExactlyElementsIn(Arrays.asList(CellKind.values()));
    }

    private static Set<Class<?>> opClasses(Stream<OpCase> cases) {
        return cases.map(c -> c.op().getClass()).collect(Collectors.toSet());
    }
}
