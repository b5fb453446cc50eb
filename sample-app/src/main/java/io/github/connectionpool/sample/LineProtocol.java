package io.github.connectionpool.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Sends one line and reads one line back, reading no byte past the newline so the socket can go back to the pool. */
public final class LineProtocol {

    private LineProtocol() {}

    /**
     * Writes {@code message} and a newline, then reads the answer up to its newline.
     *
     * @param socket a connected socket
     * @param message the line to send, without a newline
     * @return the line received, without its newline
     * @throws IOException when the connection fails or closes before the answer is complete
     */
    public static String exchange(Socket socket, String message) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the server closed the connection mid-answer");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
