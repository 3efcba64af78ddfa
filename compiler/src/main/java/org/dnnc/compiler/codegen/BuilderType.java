package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.Optional;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.sema.Option;

/**
 * The generated class's nested {@code Builder}: seed, threads, batch, device and (when it trains)
 * progress, each checked, and {@code build()}, which starts from {@code load_weights} when the
 * train section names a file. A class compiled with the CUDA target ({@code cuda}) keeps the
 * device for its constructor; one compiled for the CPU only refuses CUDA, saying how to compile it.
 */
record BuilderType(NetworkModel model, ClassName className, ClassName builderName, boolean trains,
        boolean hasConvolutions, int maxBatch, boolean cuda) {

    TypeSpec spec() {
        ClassName device = ClassName.get("org.dnnc.runtime", "Device");
        TypeSpec.Builder builder = TypeSpec.classBuilder(builderName).addModifiers(PUBLIC, STATIC, FINAL)
                .addJavadoc("Configures a new {@code $L}.\n", model.name())
                .addField(FieldSpec.builder(long.class, "seed", PRIVATE).initializer("$LL", seed()).build())
                .addField(FieldSpec.builder(int.class, "threads", PRIVATE)
                        .initializer("$T.max(1, $T.min(2, $T.getRuntime().availableProcessors()))", Math.class, Math.class,
                                Runtime.class).build())
                .addField(FieldSpec.builder(int.class, "batch", PRIVATE).initializer("MAX_BATCH").build())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(PRIVATE).build())
                .addMethod(MethodSpec.methodBuilder("seed").addModifiers(PUBLIC).returns(builderName)
                        .addJavadoc("Seeds initialization and dropout (default: the train section's seed).\n")
                        .addParameter(long.class, "seed").addStatement("this.seed = seed").addStatement("return this").build())
                .addMethod(MethodSpec.methodBuilder("threads").addModifiers(PUBLIC).returns(builderName)
                        .addJavadoc("Threads for matrix products$L; use 1 when other work shares the cores\n",
                                hasConvolutions ? " and convolutions" : "")
                        .addJavadoc("(default: up to 2, as the machine has cores).\n")
                        .addParameter(int.class, "threads")
                        .beginControlFlow("if (threads < 1)")
                        .addStatement("throw new $T($S + threads)", IllegalArgumentException.class,
                                "threads must be at least 1, got ")
                        .endControlFlow()
                        .addStatement("this.threads = threads").addStatement("return this").build())
                .addMethod(MethodSpec.methodBuilder("batch").addModifiers(PUBLIC).returns(builderName)
                        .addJavadoc("Examples per training step, at most {@link $T#MAX_BATCH} (the default, the train\n", className)
                        .addJavadoc("section's batch, for which memory is planned; a smaller batch uses the same memory).\n")
                        .addParameter(int.class, "batch")
                        .beginControlFlow("if (batch < 1 || batch > MAX_BATCH)")
                        .addStatement("throw new $T($S + batch)", IllegalArgumentException.class,
                                "batch must be between 1 and " + maxBatch + " (the planned batch), got ")
                        .endControlFlow()
                        .addStatement("this.batch = batch").addStatement("return this").build())
                .addMethod(cuda ? device(device) : cpuOnly(device))
                .addMethod(build());
        if (cuda) {
            builder.addField(FieldSpec.builder(device, "device", PRIVATE).initializer("$T.CPU", device).build())
                    .addField(FieldSpec.builder(boolean.class, "tf32", PRIVATE).build())
                    .addMethod(MethodSpec.methodBuilder("tf32").addModifiers(PUBLIC).returns(builderName)
                            .addJavadoc("Lets cuBLAS use TF32 tensor cores for matrix products on CUDA: faster, with about\n")
                            .addJavadoc("three decimal digits in each product's inputs (default: off, full float precision).\n")
                            .addJavadoc("{@link #build()} refuses it unless the device is CUDA.\n")
                            .addParameter(boolean.class, "allow")
                            .addStatement("this.tf32 = allow").addStatement("return this").build());
        }
        if (trains) {
            builder.addField(FieldSpec.builder(Boolean.class, "progress", PRIVATE).build())
                    .addMethod(MethodSpec.methodBuilder("progress").addModifiers(PUBLIC).returns(builderName)
                            .addJavadoc("Whether {@link $T#fit} draws a progress bar (default: when standard output is a\n",
                                    className)
                            .addJavadoc("terminal).\n")
                            .addParameter(boolean.class, "show")
                            .addStatement("this.progress = show").addStatement("return this").build());
        }
        return builder.build();
    }

    /** {@code device(...)} of a class compiled with the CUDA target: kept for the constructor. */
    private MethodSpec device(ClassName device) {
        return MethodSpec.methodBuilder("device").addModifiers(PUBLIC).returns(builderName)
                .addJavadoc("Where the network runs (default: the CPU). On {@code CUDA}, {@link #build()} throws\n")
                .addJavadoc("{@code org.dnnc.runtime.cuda.CudaUnavailableException} naming what this machine lacks (driver,\n")
                .addJavadoc("device or library); checkpoints are the same on either device.\n")
                .addParameter(device, "device")
                .addStatement("this.device = $T.requireNonNull(device, $S)", java.util.Objects.class, "device")
                .addStatement("return this").build();
    }

    /** {@code device(...)} of a class compiled for the CPU only: CUDA is refused with how to compile for it. */
    private MethodSpec cpuOnly(ClassName device) {
        return MethodSpec.methodBuilder("device").addModifiers(PUBLIC).returns(builderName)
                .addJavadoc("Where the network runs (default: the CPU).\n\n")
                .addJavadoc("@throws UnsupportedOperationException for CUDA: this class was compiled for the CPU only\n")
                .addParameter(device, "device")
                .beginControlFlow("if (device != $T.CPU)", device)
                .addStatement("throw new $T($S + device + $S)", UnsupportedOperationException.class,
                        model.name() + " cannot run on ", ": it was compiled for the CPU only; compile it with the cuda"
                                + " target too (dnnc compile --target cpu,cuda, or <targets>cpu,cuda</targets> in the dnnc"
                                + " Maven plugin's configuration)")
                .endControlFlow()
                .addStatement("return this").build();
    }

    private MethodSpec build() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("build").addModifiers(PUBLIC).returns(className);
        if (cuda) {
            m.beginControlFlow("if (tf32 && device != $T.CUDA)", ClassName.get("org.dnnc.runtime", "Device"))
                    .addStatement("throw new $T($S)", IllegalStateException.class,
                            "tf32(true) applies to CUDA only: choose device(Device.CUDA) too, or leave tf32 off")
                    .endControlFlow();
        }
        Optional<Option> weights = trains ? StartingWeights.of(model.train()) : Optional.empty();
        if (weights.isEmpty()) {
            return m.addJavadoc("A network with freshly initialized parameters.\n")
                    .addStatement("return new $T(this)", className).build();
        }
        return m.addJavadoc("A network with the parameters of {@code $L}, as the train section's {@code load_weights}\n",
                        weights.get().args().string("path").replace("*/", "*&#47;"))
                .addJavadoc("says.\n\n@throws java.io.UncheckedIOException if the file cannot be read or does not fit\n")
                .addCode(StartingWeights.build(className)).build();
    }

    private long seed() {
        Object v = model.train().settings().get("seed");
        return v instanceof Number n ? n.longValue() : 42;
    }
}
