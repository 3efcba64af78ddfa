package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.Golden;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class generated from the Fashion-MNIST CNN example is pinned by a golden file, as the MLP's
 * is: convolutions, batch-norm folding, pooling and their scratch buffers as they are emitted. It
 * also compiles without a lint warning.
 */
class GeneratedCnnSourceTest {
    private static final Path CNN = RepoPaths.root().resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn");

    @TempDir
    Path work;

    @Test
    void generatedSourceIsPinnedAndCompiles() throws Exception {
        SourceFile file = SourceFile.read(CNN);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String source = JavaGenerator.generate(model, file).toString();
        Golden.check(RepoPaths.testResources().resolve("golden/codegen/FashionCnn.java"), source);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(), source, work,
                List.of("-Xlint:all", "-Werror"));
        assertThat(TrainableNetwork.class.isAssignableFrom(generated)).isTrue();
        assertThat(source).contains("Conv2d.");
    }
}
