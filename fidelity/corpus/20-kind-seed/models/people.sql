MODEL (name seeds.people, kind SEED (path '../seeds/people.csv', batch_size 100), columns (id INT, name TEXT));
