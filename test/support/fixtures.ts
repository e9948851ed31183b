/** The users/pets example of dlt's documentation: two users, three pets. */
export const USERS = [
  {
    id: 1,
    name: 'Alice',
    pets: [
      { id: 1, name: 'Fluffy', type: 'cat' },
      { id: 2, name: 'Spot', type: 'dog' },
    ],
  },
  { id: 2, name: 'Bob', pets: [{ id: 3, name: 'Fido', type: 'dog' }] },
];
