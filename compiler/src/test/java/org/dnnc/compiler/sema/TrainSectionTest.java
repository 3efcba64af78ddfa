package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.diag.Diagnostic;
import org.junit.jupiter.api.Test;

/** The {@code train { }} section resolved to a {@link TrainConfig}: values, defaults, units and their misuse. */
class TrainSectionTest extends ShapeTestSupport {

    private static String net(String train) {
        return """
                network N {
                    input image: float[1, 8, 8];
                    input label: int;
                    output logits = image -> flatten -> dense(10);
                %s}
                """.formatted(train);
    }

    @Test
    void defaultsWithoutATrainSection() {
        TrainConfig t = compileOk(net("")).train();
        assertThat(t.declared()).isFalse();
        assertThat(t.batch()).isEqualTo(32);
        assertThat(t.epochs()).isEqualTo(10);
        assertThat(t.optimizer().name()).isEqualTo("adam");
        assertThat(t.optimizer().args().real("lr")).isEqualTo(1e-3);
        assertThat(t.optimizer().args().real("beta1")).isEqualTo(0.9);
        assertThat(t.optimizer().args().real("beta2")).isEqualTo(0.999);
        assertThat(t.optimizer().args().real("eps")).isEqualTo(1e-8);
        assertThat(t.schedule().toString()).isEqualTo("constant");
        assertThat(t.init().toString()).isEqualTo("glorot_uniform");
        assertThat(t.settings()).containsEntry("weight_decay", 0.0);
        assertThat(t.settings()).containsEntry("l1", 0.0);
        assertThat(t.settings()).containsEntry("validation_split", 0.0);
        assertThat(t.settings()).containsEntry("seed", 42L);
        // Gradient clipping is off unless asked for.
        assertThat(t.settings()).doesNotContainKey("clip_norm");
        assertThat(t.settings()).doesNotContainKey("clip_value");
        assertThat(t.settings()).doesNotContainKey("loss");
        assertThat(t.directives()).isEmpty();
        assertThat(t.augment()).isEmpty();
    }

    @Test
    void everySetting() {
        TrainConfig t = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = sgd(lr: 0.1, momentum: 0.9, nesterov: true);
                        schedule = cosine(restart_every: 5 epochs, multiplier: 2);
                        batch = 64;
                        epochs = 3;
                        weight_decay = 5e-4;
                        l1 = 1e-6;
                        clip_norm = 5;
                        clip_value = 0.5;
                        validation_split = 0.1;
                        seed = 7;
                        init = he_normal;
                    }
                """)).train();
        assertThat(t.declared()).isTrue();
        assertThat(t.batch()).isEqualTo(64);
        assertThat(t.epochs()).isEqualTo(3);
        assertThat(t.optimizer().toString()).isEqualTo("sgd(lr: 0.1, momentum: 0.9, nesterov: true)");
        assertThat(t.schedule().name()).isEqualTo("cosine");
        assertThat(t.schedule().args().duration("restart_every")).isEqualTo(new Duration(5, "epochs"));
        assertThat(t.schedule().args().integer("multiplier")).isEqualTo(2);
        assertThat(t.schedule().args().real("min_lr")).isEqualTo(0.0);
        assertThat(t.init().toString()).isEqualTo("he_normal");
        // Numbers become doubles where the setting is real, also when written as integers.
        assertThat(t.settings()).containsEntry("weight_decay", 5e-4);
        assertThat(t.settings()).containsEntry("l1", 1e-6);
        assertThat(t.settings()).containsEntry("clip_norm", 5.0);
        assertThat(t.settings()).containsEntry("clip_value", 0.5);
        assertThat(t.settings()).containsEntry("validation_split", 0.1);
        assertThat(t.settings()).containsEntry("seed", 7L);
    }

    @Test
    void optimizerWithDefaultsAndByNameAlone() {
        TrainConfig a = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = rmsprop;
                    }
                """)).train();
        assertThat(a.optimizer().toString()).isEqualTo("rmsprop(lr: 0.01, alpha: 0.99, eps: 1.0E-8, momentum: 0.0)");
        TrainConfig b = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = momentum(lr: 1e-2);
                        schedule = lr_range_test;
                    }
                """)).train();
        assertThat(b.optimizer().args().real("momentum")).isEqualTo(0.9);
        assertThat(b.schedule().args().duration("over")).isEqualTo(new Duration(100, "steps"));
    }

    @Test
    void unitsAreCountedAndMadePlural() {
        TrainConfig t = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = cyclical(min_lr: 1e-4, max_lr: 1e-2, half_cycle: 1 epoch, mode: triangular2);
                    }
                """)).train();
        assertThat(t.schedule().args().duration("half_cycle")).isEqualTo(new Duration(1, "epochs"));
        assertThat(t.schedule().args().string("mode")).isEqualTo("triangular2");
        TrainConfig s = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = linear_decay(over: 1000 steps, floor: 1e-5);
                    }
                """)).train();
        assertThat(s.schedule().args().duration("over")).isEqualTo(new Duration(1000, "steps"));
        assertThat(s.schedule().toString()).isEqualTo("linear_decay(over: 1000 steps, floor: 1.0E-5)");
        TrainConfig one = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = step_decay(every: 1 step);
                    }
                """)).train();
        assertThat(one.schedule().args().duration("every")).isEqualTo(new Duration(1, "steps"));
        assertThat(one.schedule().args().real("factor")).isEqualTo(0.5);
    }

    @Test
    void directivesInOrderWithTheirDefaults() {
        TrainConfig t = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        load_weights("base.safetensors");
                        freeze(logits);
                        early_stop(monitor: val_accuracy);
                    }
                """)).train();
        assertThat(t.directives().stream().map(Option::toString).toList()).containsExactly(
                "load_weights(path: base.safetensors, strict: true)",
                "freeze(value: logits)",
                "early_stop(monitor: val_accuracy, patience: 5, min_delta: 0.0, restore_best: true)").inOrder();
    }

    @Test
    void loadWeightsMapsNamesWithPrefixRules() {
        TrainConfig t = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        load_weights("torch.safetensors", strict: false, map: "fc.=logits.dense1., , body.= ");
                    }
                """)).train();
        Option load = t.directives().get(0);
        assertThat(WeightRenames.parse(load.args().string("map"))).containsExactly(
                new WeightRenames("fc.", "logits.dense1."), new WeightRenames("body.", "")).inOrder();
        assertThat(load.args().bool("strict")).isFalse();
    }

    @Test
    void aMalformedMapIsAnErrorAtTheArgument() {
        String source = net("""
                    train {
                        loss = cross_entropy(logits, label);
                        load_weights("torch.safetensors", map: "fc.=logits.dense1., features.0.");
                    }
                """);
        assertError(source, "`map` rule `features.0.` is not of the form `from=to`", 7, 43);
        assertThat(rendered(compile(source))).contains("help: write prefix rules separated by commas");
        assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        load_weights("torch.safetensors", map: "=logits.");
                    }
                """), "`map` rule `=logits.` has no prefix to match before `=`", 7, 43);
    }

    @Test
    void augmentationsPerInput() {
        TrainConfig t = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        augment image: flip_horizontal, shift(2), rotate(degrees: 15), noise;
                    }
                """)).train();
        assertThat(t.augment().keySet()).containsExactly("image");
        assertThat(t.augment().get("image").stream().map(Option::toString).toList()).containsExactly(
                "flip_horizontal", "shift(pixels: 2)", "rotate(degrees: 15.0)", "noise(stddev: 0.05)").inOrder();
    }

    @Test
    @Covers({"cross_entropy", "dense", "flatten"})
    void theLossIsAGraphOutput() {
        NetworkModel m = compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                    }
                """));
        assertThat(m.graph().outputs().keySet()).containsExactly("logits", "loss").inOrder();
        assertThat(type(m, "loss")).isEqualTo("f32[]");
    }

    // ---- what generated networks would ignore is refused --------------------------------------

    @Test
    void nesterovWithoutMomentumIsRefused() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = sgd(lr: 0.1, nesterov: true);
                    }
                """), "`nesterov: true` needs a momentum, but `sgd` has momentum 0", 7, 21);
        assertThat(d.hints()).containsExactly("add e.g. `momentum: 0.9`");
        compileOk(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = momentum(nesterov: true);
                    }
                """));
    }

    // ---- unit misuse ---------------------------------------------------------------------------

    @Test
    void aUnitWhereACountIsExpected() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        epochs = 5 epochs;
                    }
                """), "`epochs` takes an integer from 1 to 1000000, not a count of epochs", 7, 18);
        assertThat(d.hints()).containsExactly("remove the unit `epochs`");
    }

    @Test
    void aUnitOnALayerArgument() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    output y = x -> dense(10 steps);
                }
                """, "argument `units` of `dense` takes a positive integer, not a count of steps", 3, 27);
        assertThat(d.hints()).containsExactly("remove the unit `steps`");
    }

    @Test
    void aDurationWithoutItsUnit() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = step_decay(every: 5);
                    }
                """), "argument `every` of `step_decay` needs a unit: epochs or steps", 7, 38);
        assertThat(d.hints()).containsExactly("write `5 epochs`");
    }

    @Test
    void anUnknownUnit() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = cosine(restart_every: 2 fortnights);
                    }
                """), "unknown unit `fortnights`", 7, 44);
        assertThat(d.hints()).containsExactly("units are `epochs` and `steps`");
    }

    @Test
    void aMisspeltUnit() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = cosine(restart_every: 2 epohcs);
                    }
                """), "unknown unit `epohcs`", 7, 44);
        assertThat(d.hints()).containsExactly("did you mean `epochs`?");
    }

    @Test
    void aFractionalCount() {
        assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = cosine(restart_every: 2.5 epochs);
                    }
                """), "a count of epochs must be a whole number, got `2.5`", 7, 42);
    }

    @Test
    void aZeroCount() {
        assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        schedule = cosine(restart_every: 0 epochs);
                    }
                """), "argument `restart_every` of `cosine` must be a positive count, got 0 epochs", 7, 42);
    }

    // ---- other errors --------------------------------------------------------------------------

    @Test
    void aSettingGivenTwice() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        batch = 64;
                        batch = 128;
                    }
                """), "`batch` is set twice", 8, 9);
        assertThat(notes(d)).containsExactly("7:9 first set here");
    }

    @Test
    void anUnknownSetting() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        epoch = 3;
                    }
                """), "unknown train setting `epoch`", 7, 9);
        assertThat(d.hints()).containsExactly("did you mean `epochs`?");
    }

    @Test
    void aDirectiveWrittenAsASetting() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        early_stop = 3;
                    }
                """), "unknown train setting `early_stop`", 7, 9);
        assertThat(d.hints()).containsExactly("`early_stop` is a directive: write `early_stop(...);`");
    }

    @Test
    void aSettingWrittenAsADirective() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        batch(64);
                    }
                """), "unknown train directive `batch`", 7, 9);
        assertThat(d.hints()).containsExactly("`batch` is a setting: write `batch = ...;`");
    }

    @Test
    void anUnknownOptimizer() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = adamw(lr: 1e-3);
                    }
                """), "unknown optimizer `adamw`", 7, 21);
        assertThat(d.hints()).containsExactly("did you mean `adam`?");
    }

    @Test
    void anOptimizerArgumentOutOfRange() {
        assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = adam(lr: 0);
                    }
                """), "argument `lr` of `adam` must be a number > 0, got an integer (0)", 7, 30);
    }

    @Test
    void aBatchOutOfRange() {
        assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        batch = 0;
                    }
                """), "`batch` must be an integer from 1 to 65536, got an integer (0)", 7, 17);
    }

    @Test
    void aTrainSectionWithoutALoss() {
        Diagnostic d = assertError(net("""
                    train {
                        batch = 8;
                    }
                """), "the `train` section has no `loss`", 5, 5);
        assertThat(d.hints()).containsExactly("add e.g. `loss = cross_entropy(logits, label);`");
    }

    @Test
    void twoTrainSections() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                    }
                    train {
                        batch = 8;
                    }
                """), "a network has one `train` section", 8, 5);
        assertThat(notes(d)).containsExactly("5:5 the first one is here");
    }

    @Test
    void earlyStopTwice() {
        assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        early_stop(patience: 2);
                        early_stop(patience: 3);
                    }
                """), "`early_stop` is set twice", 8, 9);
    }

    @Test
    void freezingSomethingThatIsNotAValue() {
        assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        freeze(features);
                    }
                """), "argument `value` of `freeze` must be the name of a value in the network", 7, 16);
    }

    @Test
    void imageAugmentationOfAVector() {
        Compilation c = compile("""
                network N {
                    input v: float[4];
                    output y = v -> dense(2);
                    train {
                        loss = mse(y, y);
                        augment v: flip_horizontal, noise;
                    }
                }
                """);
        List<Diagnostic> errors = errors(c);
        assertThat(errors).hasSize(1);
        assertAt(errors.get(0), "`flip_horizontal` needs an image input [channels, height, width], but `v` is [4]", 6, 20);
    }

    @Test
    void augmentingSomethingThatIsNotAnInput() {
        Diagnostic d = assertError(net("""
                    train {
                        loss = cross_entropy(logits, label);
                        augment logits: noise;
                    }
                """), "`augment` names `logits`, which is not an input of the network", 7, 17);
        assertThat(d.hints()).isEmpty();
    }
}
