package dev.mnistlab.report;

/** A PNG written beside a report: its file name, what it shows, its bytes. */
public record Plot(String file, String alt, byte[] png) {}
