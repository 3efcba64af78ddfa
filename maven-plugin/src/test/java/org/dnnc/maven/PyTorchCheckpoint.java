package org.dnnc.maven;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoint that PyTorch users write with {@code
 * safetensors.torch.save_file(model.state_dict(), ...)} for {@code nn.Sequential(nn.Linear(8, 16),
 * nn.ReLU(), nn.Linear(16, 3))}, made byte by byte: an 8-byte little-endian header length, the
 * JSON header (tensor names {@code 0.weight}, {@code 0.bias}, {@code 2.weight}, {@code 2.bias};
 * dtype, shape, data offsets; {@code __metadata__}), then the tensors' bytes. The first layer's
 * weight is F16, as after {@code model.half()}; the others are F32.
 *
 * <p>The weights solve FreshProjectIT's blobs by hand: hidden unit {@code k < 3} sums the features
 * {@code f} with {@code f % 3 == k} (the corner of class {@code k}), and output {@code k} reads
 * hidden unit {@code k}; so the network classifies well before any training, and only if it loaded.
 */
final class PyTorchCheckpoint {
    private PyTorchCheckpoint() {}

    private static final short F16_ONE = 0x3C00;

    private record Tensor(String name, String dtype, int[] shape, byte[] bytes) {}

    static void write(Path file) throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        ByteBuffer w0 = little(16 * 8 * 2);
        for (int h = 0; h < 16; h++) {
            for (int f = 0; f < 8; f++) {
                w0.putShort(h < 3 && f % 3 == h ? F16_ONE : 0);
            }
        }
        tensors.add(new Tensor("0.weight", "F16", new int[] {16, 8}, w0.array()));
        tensors.add(new Tensor("0.bias", "F32", new int[] {16}, little(16 * 4).array()));
        ByteBuffer w2 = little(3 * 16 * 4);
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < 16; h++) {
                w2.putFloat(h == c ? 1f : 0f);
            }
        }
        tensors.add(new Tensor("2.weight", "F32", new int[] {3, 16}, w2.array()));
        tensors.add(new Tensor("2.bias", "F32", new int[] {3}, little(3 * 4).array()));

        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Tensor t : tensors) {
            StringBuilder shape = new StringBuilder();
            for (int d : t.shape()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            header.append(",\"").append(t.name()).append("\":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":[")
                    .append(shape).append("],\"data_offsets\":[").append(offset).append(',')
                    .append(offset + t.bytes().length).append("]}");
            offset += t.bytes().length;
        }
        header.append('}');
        // The format pads the header with spaces to a multiple of 8 bytes.
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = little(8 + json.length + (int) offset);
        out.putLong(json.length).put(json);
        for (Tensor t : tensors) {
            out.put(t.bytes());
        }
        Files.createDirectories(file.getParent());
        Files.write(file, out.array());
    }

    private static ByteBuffer little(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
