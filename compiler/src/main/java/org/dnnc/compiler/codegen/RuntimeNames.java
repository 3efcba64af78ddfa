package org.dnnc.compiler.codegen;

import com.palantir.javapoet.ClassName;

/** The runtime classes that generated code uses: the one place the compiler names them. */
final class RuntimeNames {
    private RuntimeNames() {}

    private static final String CPU = "org.dnnc.runtime.cpu";
    private static final String IO = "org.dnnc.runtime.io";
    private static final String TRAIN = "org.dnnc.runtime.train";

    static final ClassName ARENA = ClassName.get(CPU, "Arena");
    static final ClassName BUF = ClassName.get(CPU, "Buf");
    static final ClassName BLAS = ClassName.get(CPU, "Blas");
    static final ClassName DENSE = ClassName.get(CPU, "Dense");
    static final ClassName ACTIVATION = ClassName.get(CPU, "Activation");
    static final ClassName ACTIVATIONS = ClassName.get(CPU, "Activations");
    static final ClassName SOFTMAX = ClassName.get(CPU, "Softmax");
    static final ClassName DROPOUT = ClassName.get(CPU, "Dropout");
    static final ClassName RNG = ClassName.get(CPU, "Rng");
    static final ClassName ELEMENTWISE = ClassName.get(CPU, "Elementwise");
    static final ClassName ELEMENTWISE_CHAIN = ClassName.get(CPU, "ElementwiseChain");
    static final ClassName CONCAT = ClassName.get(CPU, "Concat");
    static final ClassName EMBEDDING = ClassName.get(CPU, "Embedding");
    static final ClassName EMBEDDING_ROWS = ClassName.get(CPU, "EmbeddingRows");
    static final ClassName LOSSES = ClassName.get(CPU, "Losses");
    static final ClassName OPTIMIZERS = ClassName.get(CPU, "Optimizers");
    static final ClassName GRADIENT_CLIPPING = ClassName.get(CPU, "GradientClipping");
    static final ClassName GRADIENT_CHECK = ClassName.get(CPU, "GradientCheck");
    static final ClassName INIT = ClassName.get(CPU, "Init");
    static final ClassName CONV2D = ClassName.get(CPU, "Conv2d");
    static final ClassName CONV_ALGORITHM = ClassName.get(CPU, "ConvAlgorithm");
    static final ClassName LAYOUT = ClassName.get(CPU, "Layout");
    static final ClassName CONV_GEOMETRY = ClassName.get(CPU, "ConvGeometry");
    static final ClassName POOL2D = ClassName.get(CPU, "Pool2d");
    static final ClassName POOL_GEOMETRY = ClassName.get(CPU, "PoolGeometry");
    static final ClassName GLOBAL_AVG_POOL = ClassName.get(CPU, "GlobalAvgPool");
    static final ClassName RECURRENT = ClassName.get(CPU, "Recurrent");
    static final ClassName ATTENTION = ClassName.get(CPU, "Attention");
    static final ClassName ATTENTION_GEOMETRY = ClassName.get(CPU, "AttentionGeometry");
    static final ClassName ATTENTION_DECODER = ClassName.get(CPU, "AttentionDecoder");
    static final ClassName DECODER_GEOMETRY = ClassName.get(CPU, "DecoderGeometry");
    static final ClassName STEPS = ClassName.get(CPU, "Steps");
    static final ClassName RECURRENT_GEOMETRY = ClassName.get(CPU, "RecurrentGeometry");
    static final ClassName RECURRENT_CELL = ClassName.get(CPU, "RecurrentCell");
    static final ClassName BATCH_NORM = ClassName.get(CPU, "BatchNorm");
    static final ClassName BATCH_NORM_POOL = ClassName.get(CPU, "BatchNormPool");
    static final ClassName LAYER_NORM = ClassName.get(CPU, "LayerNorm");
    static final ClassName WORKERS = ClassName.get(CPU, "Workers");
    static final ClassName CPU_CONTEXT = ClassName.get(CPU, "CpuContext");

    static final ClassName SAFETENSORS = ClassName.get(IO, "Safetensors");
    static final ClassName TENSOR_DATA = ClassName.get(IO, "TensorData");
    static final ClassName CHECKPOINT = ClassName.get(IO, "Checkpoint");
    static final ClassName CHECKPOINT_EXCEPTION = ClassName.get(IO, "CheckpointException");
    static final ClassName CHECKPOINT_SPEC = ClassName.get(IO, "CheckpointSpec");
    static final ClassName IO_DTYPE = ClassName.get(IO, "DType");
    static final ClassName LOAD_OPTIONS = ClassName.get(IO, "LoadOptions");
    static final ClassName LOAD_REPORT = ClassName.get(IO, "LoadReport");
    static final ClassName SAVE_OPTIONS = ClassName.get(IO, "SaveOptions");
    static final ClassName MATCHED_WEIGHTS = ClassName.get(IO, "MatchedWeights");
    static final ClassName TRAINING_STATE = ClassName.get(IO, "TrainingState");
    static final ClassName STANDARDIZATION = ClassName.get("org.dnnc.runtime.data", "Standardization");

    static final ClassName NETWORK = ClassName.get("org.dnnc.runtime", "Network");
    static final ClassName TENSOR_SPEC = ClassName.get("org.dnnc.runtime", "TensorSpec");
    static final ClassName INPUTS = ClassName.get("org.dnnc.runtime", "Inputs");
    static final ClassName DEVICE = ClassName.get("org.dnnc.runtime", "Device");
    static final ClassName OUTPUTS = ClassName.get("org.dnnc.runtime", "Outputs");
    static final ClassName HOLD = ClassName.get("org.dnnc.runtime", "Hold");
    static final ClassName PREDICTOR = ClassName.get("org.dnnc.runtime", "Predictor");
    static final ClassName GREEDY_DECODING = ClassName.get("org.dnnc.runtime", "GreedyDecoding");
    static final ClassName TRAINABLE_NETWORK = ClassName.get(TRAIN, "TrainableNetwork");
    static final ClassName STEP_RESULT = ClassName.get(TRAIN, "StepResult");
    static final ClassName PENDING_STEP = ClassName.get(TRAIN, "PendingStep");
    static final ClassName NON_FINITE = ClassName.get(TRAIN, "NonFinite");
    static final ClassName TARGET_KIND = ClassName.get(TRAIN, "TargetKind");
}
