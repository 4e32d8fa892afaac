package dev.specd.serving;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming request on a bare socket: the test reads as much of the stream as it likes, then
 * closes the socket, as a client that goes away mid-stream does.
 */
final class RawStream implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;

    RawStream(int port, String path, String json) {
        this(port, path, json, 0);
    }

    /** @param receiveBuffer the socket's receive buffer in bytes (small ones make a slow reader), 0 for the default */
    RawStream(int port, String path, String json, int receiveBuffer) {
        try {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(60_000);
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status line; blocks until the server sends the head (with the first token, for a stream). */
    String statusLine() {
        return line();
    }

    /** The payload of the next {@code data:} event. */
    String nextData() {
        while (true) {
            String line = line();
            if (line == null) {
                throw new AssertionError("the stream ended");
            }
            if (line.startsWith("data: ")) {
                return line.substring("data: ".length());
            }
        }
    }

    /** Every remaining event's payload, up to and including [DONE]. */
    List<String> rest() {
        List<String> events = new ArrayList<>();
        String data;
        do {
            data = nextData();
            events.add(data);
        } while (!data.equals("[DONE]"));
        return events;
    }

    private String line() {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
