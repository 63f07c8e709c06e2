<?php
/* Lab court theme: header, the loop (posts or the page), footer. */
?><!DOCTYPE html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo( 'charset' ); ?>">
<title><?php wp_title( '|', true, 'right' ); bloginfo( 'name' ); ?></title>
<link rel="stylesheet" href="<?php echo esc_url( get_stylesheet_uri() ); ?>">
<?php wp_head(); ?>
</head>
<body>
<header><h1><a href="<?php echo esc_url( home_url( '/' ) ); ?>"><?php bloginfo( 'name' ); ?></a></h1>
<p><?php bloginfo( 'description' ); ?></p></header>
<main>
<?php if ( have_posts() ) : while ( have_posts() ) : the_post(); ?>
<article id="post-<?php the_ID(); ?>">
<h2><a href="<?php the_permalink(); ?>"><?php the_title(); ?></a></h2>
<p><time datetime="<?php echo esc_attr( get_the_date( 'c' ) ); ?>"><?php echo esc_html( get_the_date( 'Y-m-d' ) ); ?></time></p>
<?php the_content(); ?>
</article>
<?php endwhile; else : ?>
<p>Tidak ada konten.</p>
<?php endif; ?>
</main>
<footer><p>&copy; <?php bloginfo( 'name' ); ?>. Sistem Informasi Penelusuran Perkara:
<a href="/sipp-publik/">SIPP publik</a>.</p>
<?php wp_footer(); ?>
</footer>
</body>
</html>
