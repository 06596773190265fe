/** How the panel dialect words the domain errors of identifiers, time profiles, apartments and links. */
import { ConflictError, FaceRejectedError, MissingReferenceError } from '../../directory/access-errors.ts';
import { CapacityError, NotFoundError } from '../../directory/users.ts';
import { AccessError, errors } from './errors.ts';

const ENTITY_TITLE: Record<string, string> = {
  identifier: 'Identifier',
  'time profile': 'Time profile',
  apartment: 'Apartment',
  user: 'User',
};

const FACE_MESSAGES: Record<FaceRejectedError['code'], string> = {
  bad_base_64_image_file: 'Bad base64 image file',
  face_has_not_recognized: 'Face has not recognized',
  face_id_not_supported: 'Face ID is not supported',
};

function conflictMessage(error: ConflictError): string {
  if (error.field === 'identifier_number') return 'Identifier with that type and number already exist';
  if (error.field === 'apartment_address') {
    const base = 'Apartment with that Logical Address already exist';
    return error.itemIndex === undefined ? base : `${base}: \`list_items[${error.itemIndex}].apartment_address\``;
  }
  return `${ENTITY_TITLE[error.entity]} with that link_id already exist`;
}

/** The AccessError for a domain error; anything else is returned as it is. */
export function fromDomainError(error: unknown): unknown {
  if (error instanceof NotFoundError) return errors.notFound();
  if (error instanceof CapacityError) return new AccessError(400, `Number of ${error.entity} exceeded`);
  if (error instanceof ConflictError) return new AccessError(400, conflictMessage(error));
  if (error instanceof FaceRejectedError) return new AccessError(400, FACE_MESSAGES[error.code]);
  if (error instanceof MissingReferenceError) return new AccessError(400, `Wrong JSON body: value \`${error.path}\` is out of range`);
  return error;
}
