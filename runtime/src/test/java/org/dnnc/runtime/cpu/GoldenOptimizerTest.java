package org.dnnc.runtime.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Three steps of each optimizer against {@code torch.optim} (the {@code opt_*} golden cases). */
class GoldenOptimizerTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opt_sgd", "opt_sgd_momentum", "opt_sgd_nesterov", "opt_sgd_weight_decay", "opt_adagrad",
            "opt_rmsprop", "opt_rmsprop_momentum", "opt_adam"})
    void threeStepsMatchPyTorch(String name) {
        Golden g = Golden.load(name);
        String kind = g.attrString("optimizer");
        float lr = (float) g.attr("lr");
        float weightDecay = g.hasAttr("weight_decay") ? (float) g.attr("weight_decay") : 0f;
        Buf p = g.buf("inputs", "param");
        int n = p.size();
        Buf s1 = Buf.allocate(n);
        Buf s2 = Buf.allocate(n);
        List<String> grads = gradsIn(g);
        for (int t = 1; t <= grads.size(); t++) {
            Buf grad = g.buf(grads.get(t - 1));
            switch (kind) {
                case "sgd", "sgd_weight_decay" -> Optimizers.sgd(p, grad, n, lr, weightDecay, 0f);
                case "sgd_momentum" -> Optimizers.momentum(p, grad, s1, n, lr, (float) g.attr("momentum"), 0f, false,
                        weightDecay, 0f, t);
                case "sgd_nesterov" -> Optimizers.momentum(p, grad, s1, n, lr, (float) g.attr("momentum"), 0f, true,
                        weightDecay, 0f, t);
                case "adagrad" -> Optimizers.adagrad(p, grad, s1, n, lr, (float) g.attr("eps"), weightDecay, 0f);
                case "rmsprop" -> Optimizers.rmsprop(p, grad, s1, n, lr, (float) g.attr("alpha"), (float) g.attr("eps"),
                        weightDecay, 0f);
                case "rmsprop_momentum" -> Optimizers.rmspropMomentum(p, grad, s1, s2, n, lr, (float) g.attr("alpha"),
                        (float) g.attr("eps"), (float) g.attr("momentum"), weightDecay, 0f);
                case "adam" -> Optimizers.adam(p, grad, s1, s2, n, lr, (float) g.attr("beta1"), (float) g.attr("beta2"),
                        (float) g.attr("eps"), weightDecay, 0f, t);
                default -> throw new AssertionError("unknown optimizer " + kind);
            }
            g.check("param after step " + t, p, g.file("outputs", "param_after_step" + t));
        }
    }

    private static List<String> gradsIn(Golden g) {
        Matcher list = Pattern.compile("\"grads_in\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(g.json());
        if (!list.find()) {
            throw new AssertionError(g.name() + ": no grads_in");
        }
        List<String> files = new ArrayList<>();
        Matcher item = Pattern.compile("\"([^\"]+)\"").matcher(list.group(1));
        while (item.find()) {
            files.add(item.group(1));
        }
        return files;
    }
}
