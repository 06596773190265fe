/** Domain errors of identifiers, time profiles, apartments and their links (the API words them). */

export type EntityName = 'user' | 'identifier' | 'time profile' | 'apartment';

/** A unique value (an identifier's type + number, an apartment's address, a link_id) is taken. */
export class ConflictError extends Error {
  constructor(
    readonly entity: EntityName,
    readonly field: 'identifier_number' | 'apartment_address' | 'link_id',
    /** In a bulk: the index of the item that clashed. */
    readonly itemIndex?: number,
  ) {
    super(`${entity}: ${field} already taken`);
    this.name = 'ConflictError';
  }
}

export type FaceCode = 'bad_base_64_image_file' | 'face_has_not_recognized' | 'face_id_not_supported';

/** A face photo that gives no descriptor, or face support switched off. */
export class FaceRejectedError extends Error {
  constructor(readonly code: FaceCode) {
    super(code);
    this.name = 'FaceRejectedError';
  }
}

/** A link_id in a single write that names nothing; `path` is the field, e.g. `time_profiles.link_ids[1]`. */
export class MissingReferenceError extends Error {
  constructor(readonly path: string) {
    super(`${path} names nothing`);
    this.name = 'MissingReferenceError';
  }
}
