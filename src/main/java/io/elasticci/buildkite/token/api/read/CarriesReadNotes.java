package io.elasticci.buildkite.token.api.read;

/**
 * A part of the resource read by {@link TolerantReader}: it remembers what reading it found. The notes are never
 * serialized (they are not part of the resource).
 */
public interface CarriesReadNotes {

    ReadNotes readNotes();

    void readNotes(ReadNotes notes);
}
