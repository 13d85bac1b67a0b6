package dev.fraudscorer.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Port choice: a fixed port must be free, 0 means pick a free one. */
public final class Ports {

    private Ports() {
    }

    public static int resolve(int wanted, String what) throws IOException {
        try (ServerSocket socket = new ServerSocket(wanted, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IOException("port " + wanted + " for " + what + " is in use; choose another with its --*-port option"
                    + " (0 picks a free one)", e);
        }
    }
}
