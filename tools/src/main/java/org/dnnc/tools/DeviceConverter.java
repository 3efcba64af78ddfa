package org.dnnc.tools;

import java.util.Locale;
import org.dnnc.runtime.Device;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --device cpu|cuda}: where {@code dnnc run} and {@code dnnc bench} train, by lower-case name. */
final class DeviceConverter implements ITypeConverter<Device> {
    /** What the option's help says. */
    static final String DESCRIPTION = "Where to train: cpu or cuda (an NVIDIA GPU; the network is compiled with the"
            + " cuda target too) (default: cpu).";

    @Override
    public Device convert(String name) {
        for (Device d : Device.values()) {
            if (d.name().toLowerCase(Locale.ROOT).equals(name)) {
                return d;
            }
        }
        throw new TypeConversionException("unknown device '" + name + "'; the devices are cpu, cuda");
    }
}
