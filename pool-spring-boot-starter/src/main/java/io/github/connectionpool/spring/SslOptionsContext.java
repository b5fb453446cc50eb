package io.github.connectionpool.spring;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.springframework.boot.ssl.SslOptions;

/**
 * An SSL bundle's context with the bundle's options (enabled protocols, cipher suites) applied to every socket and
 * engine it makes. The TCP pool takes an {@link SSLContext} and makes its sockets with
 * {@link SSLContext#getSocketFactory()}; an {@link SSLContext} alone carries no options, so they are set here.
 */
final class SslOptionsContext extends SSLContext {

    SslOptionsContext(SSLContext context, SslOptions options) {
        super(new Spi(context, options), context.getProvider(), context.getProtocol());
    }

    private static final class Spi extends SSLContextSpi {

        private final SSLContext context;
        private final String[] protocols; // null: the context's own
        private final String[] ciphers; // null: the context's own

        Spi(SSLContext context, SslOptions options) {
            this.context = context;
            this.protocols = options.getEnabledProtocols();
            this.ciphers = options.getCiphers();
        }

        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("the SSL bundle's context is initialized already");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new OptionsSocketFactory(context.getSocketFactory(), this);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return context.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return apply(context.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return apply(context.createSSLEngine(host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return context.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return context.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return apply(context.getDefaultSSLParameters());
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return context.getSupportedSSLParameters();
        }

        Socket apply(Socket socket) {
            SSLSocket tls = (SSLSocket) socket;
            tls.setSSLParameters(apply(tls.getSSLParameters()));
            return tls;
        }

        private SSLEngine apply(SSLEngine engine) {
            engine.setSSLParameters(apply(engine.getSSLParameters()));
            return engine;
        }

        private SSLParameters apply(SSLParameters parameters) {
            if (protocols != null) {
                parameters.setProtocols(protocols);
            }
            if (ciphers != null) {
                parameters.setCipherSuites(ciphers);
            }
            return parameters;
        }

        String[] defaultCipherSuites(SSLSocketFactory factory) {
            return ciphers != null ? ciphers.clone() : factory.getDefaultCipherSuites();
        }
    }

    /** The context's socket factory, with the options set on every socket before it is handed out. */
    private static final class OptionsSocketFactory extends SSLSocketFactory {

        private final SSLSocketFactory factory;
        private final Spi options;

        OptionsSocketFactory(SSLSocketFactory factory, Spi options) {
            this.factory = factory;
            this.options = options;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return options.defaultCipherSuites(factory);
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return factory.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return options.apply(factory.createSocket());
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return options.apply(factory.createSocket(socket, host, port, autoClose));
        }

        @Override
        public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
            return options.apply(factory.createSocket(socket, consumed, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return options.apply(factory.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return options.apply(factory.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return options.apply(factory.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return options.apply(factory.createSocket(address, port, localAddress, localPort));
        }
    }
}
