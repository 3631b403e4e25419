package io.github.dl4jbayes.hierarchical;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A {@link HierarchicalNetwork}'s file: a zip with the architecture's JSON ({@code configuration.json}) and
 * {@code state.bin} (the number of groups, tau's hyperprior scale, the optimizer's step count, then the parameter
 * vector and Adam's state as ND4J arrays).
 */
final class HierarchicalFiles {
    private static final String CONFIGURATION = "configuration.json";
    private static final String STATE = "state.bin";

    /** What a file holds. */
    record Contents(MultiLayerConfiguration conf, int groups, double tauHyperScale, int iteration, INDArray parameters,
                    INDArray updaterState) {
    }

    private HierarchicalFiles() {
    }

    static void write(Path file, Contents c) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry(CONFIGURATION));
            zip.write(c.conf().toJson().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(STATE));
            DataOutputStream out = new DataOutputStream(zip);
            out.writeInt(c.groups());
            out.writeDouble(c.tauHyperScale());
            out.writeInt(c.iteration());
            ByteArrayOutputStream arrays = new ByteArrayOutputStream();
            Nd4j.write(c.parameters(), new DataOutputStream(arrays));
            Nd4j.write(c.updaterState(), new DataOutputStream(arrays));
            out.writeInt(arrays.size());
            arrays.writeTo(out);
            out.flush();
            zip.closeEntry();
        }
    }

    static Contents read(Path file) throws IOException {
        String json = null;
        byte[] state = null;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (CONFIGURATION.equals(e.getName())) {
                    json = new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                } else if (STATE.equals(e.getName())) {
                    state = zip.readAllBytes();
                }
            }
        }
        if (json == null || state == null) {
            throw new IOException(file + " is not a saved hierarchical network (missing " + (json == null ? CONFIGURATION
                    : STATE) + ")");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        int groups = in.readInt();
        double hyper = in.readDouble();
        int iteration = in.readInt();
        in.readInt();                                                   // the arrays' byte count
        INDArray all = Nd4j.read((InputStream) in);
        INDArray updaterState = Nd4j.read((InputStream) in);
        return new Contents(MultiLayerConfiguration.fromJson(json), groups, hyper, iteration, all, updaterState);
    }
}
