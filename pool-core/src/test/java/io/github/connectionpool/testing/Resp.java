package io.github.connectionpool.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of RESP, the Redis protocol, to talk to Redis over a pooled socket: a command goes out as an array of
 * bulk strings, and one reply is read back as a Java value.
 *
 * <p>Replies: {@code +OK} → {@code "OK"} (a String), {@code :5} → {@code 5L}, {@code $3\r\nabc} → {@code "abc"},
 * {@code $-1} → {@code null}, {@code *..} → a {@link List}, {@code -ERR ..} → a thrown {@link RedisError}. Reads byte by
 * byte from the socket's own stream, so nothing beyond the reply is consumed and the socket can go back to a pool.
 *
 * <pre>{@code
 * assertThat(Resp.call(socket, "SET", "k", "v")).isEqualTo("OK");
 * assertThat(Resp.call(socket, "GET", "k")).isEqualTo("v");
 * }</pre>
 */
public final class Resp {

    private Resp() {}

    /** An error reply from the server. */
    public static final class RedisError extends IOException {
        private static final long serialVersionUID = 1L;

        RedisError(String message) {
            super(message);
        }
    }

    /** Sends one command and reads its reply. */
    public static Object call(Socket socket, String... command) throws IOException {
        send(socket, command);
        return read(socket.getInputStream());
    }

    /** Sends one command without reading the reply. */
    public static void send(Socket socket, String... command) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ascii(request, "*" + command.length + "\r\n");
        for (String part : command) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            ascii(request, "$" + bytes.length + "\r\n");
            request.write(bytes);
            ascii(request, "\r\n");
        }
        OutputStream out = socket.getOutputStream();
        request.writeTo(out);
        out.flush();
    }

    /** Reads one reply. */
    public static Object read(InputStream in) throws IOException {
        int type = in.read();
        if (type == -1) {
            throw new EOFException("the server closed the connection");
        }
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RedisError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length < length) {
                    throw new EOFException("the server closed the connection in a bulk string");
                }
                readLine(in); // the CRLF after the bulk string
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply type: '" + (char) type + "'");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (; ; ) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("the server closed the connection in a reply line");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
