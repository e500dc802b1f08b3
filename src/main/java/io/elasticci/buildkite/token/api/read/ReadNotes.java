package io.elasticci.buildkite.token.api.read;

import java.util.List;
import java.util.Optional;

/**
 * What reading one part of a resource (spec or status) found that this build does not understand: fields it does not
 * know (the part was still read), or why the part could not be read at all. Never holds a value from the resource.
 *
 * @param unknownFields paths of fields this build does not know, e.g. {@code spec.regions[0].foo}
 * @param unreadable why the part could not be read, naming the path and the expected type
 */
public record ReadNotes(List<String> unknownFields, Optional<String> unreadable) {

    public static final ReadNotes NONE = new ReadNotes(List.of(), Optional.empty());

    public ReadNotes {
        unknownFields = List.copyOf(unknownFields);
    }

    public static ReadNotes unreadable(String why) {
        return new ReadNotes(List.of(), Optional.of(why));
    }

    public boolean isUnreadable() {
        return unreadable.isPresent();
    }

    /** The notes of a part that may be absent. */
    public static ReadNotes of(CarriesReadNotes part) {
        return part == null || part.readNotes() == null ? NONE : part.readNotes();
    }
}
